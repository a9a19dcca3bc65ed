// Shell sort of i32 indices idx[lo..hi) ascending by an f64 key (key[idx[i]]); ties broken by the
// index value, so the order is deterministic.
export function shellSort(idx: usize, key: usize, lo: i32, hi: i32): void {
  let n = hi - lo;
  let gap = 1;
  while (gap < n / 3) gap = gap * 3 + 1;
  while (gap >= 1) {
    for (let i = lo + gap; i < hi; i++) {
      let v = load<i32>(idx + (<usize>i << 2));
      let kv = load<f64>(key + (<usize>v << 3));
      let j = i;
      while (j - gap >= lo) {
        let u = load<i32>(idx + (<usize>(j - gap) << 2));
        let ku = load<f64>(key + (<usize>u << 3));
        if (ku < kv || (ku == kv && u <= v)) break;
        store<i32>(idx + (<usize>j << 2), u);
        j -= gap;
      }
      store<i32>(idx + (<usize>j << 2), v);
    }
    gap = (gap - 1) / 3;
  }
}
