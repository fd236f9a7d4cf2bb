// Types of genlogs.mjs for the TypeScript benchmarks.
export declare const GENLOGS_CANDIDATES: string[];
export declare function genlogsPath(): string;
