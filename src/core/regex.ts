// Every regular expression a user writes (the *_exclude keys of the host collectors, pattern rules)
// runs on RE2 (the `re2` package, Google's linear-time engine, built from source at npm install):
// matching time is linear in the input whatever the regex. On JavaScript's backtracking engine,
// `^/m/(a+)+$` against a 33-character mount point made every scrape take 40 s. The price is RE2's
// syntax: no backreferences and no lookarounds; such a regex is refused when the config is loaded.
import RE2 from 're2';

/** Compiles a user regex with RE2 in Unicode mode; throws SyntaxError with RE2's reason. */
export function userRegex(source: string): RE2 {
  return new RE2(source, 'u');
}

/** RE2's reason for refusing a regex, or undefined when it compiles. */
export function userRegexProblem(source: string): string | undefined {
  try {
    userRegex(source);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}
