/** The time source services take, so tests can move time without waiting. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function isoAfter(from: Date, seconds: number): string {
  return new Date(from.getTime() + seconds * 1000).toISOString();
}
