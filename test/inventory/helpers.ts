// Shared by the inventory tests: read a fixture through a parser, in chunks of a chosen size (a parser
// must give the same records whatever the chunk boundaries).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParseLimits, ParseStats } from '../../src/inventory/parse-common.js';
import type { InventoryRecord } from '../../src/inventory/record.js';

export const FIXTURES = join(import.meta.dirname, '../fixtures/inventory');
export const LIMITS: ParseLimits = { maxRecordChars: 1 << 20 };

/** Epoch seconds of an ISO time (the expected values are written as the vendors write them). */
export const t = (iso: string) => Date.parse(iso) / 1000;

export async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

type Parser = (input: AsyncIterable<string>, sink: (r: InventoryRecord) => void, limits: ParseLimits) => Promise<ParseStats>;

export async function parseText(parser: Parser, text: string, chunkSize = 1 << 16, limits = LIMITS) {
  const records: InventoryRecord[] = [];
  const stats = await parser(chunks(text, chunkSize), (r) => records.push(r), limits);
  return { records, stats };
}

export async function parseFixture(parser: Parser, name: string, chunkSize?: number) {
  return parseText(parser, readFileSync(join(FIXTURES, name), 'utf8'), chunkSize);
}
