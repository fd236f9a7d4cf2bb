// Registers the parser of every log type with `hostwatch parse` (imported for its side effects).
import '../logs/access/cli.js';
import '../logs/pattern/cli.js';
import '../logs/auth/cli.js';
import '../logs/firewall/cli.js';
export {};
