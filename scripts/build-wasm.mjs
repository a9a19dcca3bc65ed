// Replaced by the tracer build (issue 3).
