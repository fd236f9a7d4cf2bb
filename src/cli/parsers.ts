// Registers the parser of every log type with `hostwatch parse` (imported for its side effects).
export {};
