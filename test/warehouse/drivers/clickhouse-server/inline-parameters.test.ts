import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { capabilitiesOf } from '../../../../src/warehouse/drivers/clickhouse-server/capabilities.ts';
import { inlineParameters } from '../../../../src/warehouse/drivers/clickhouse-server/inline-parameters.ts';
import { tempDataDir } from '../../../helpers/server.ts';

// A real engine judges the inlined text: what it answers must be exactly the value passed.
const engine = ChdbWarehouse.open(path.join(tempDataDir(), 'clickhouse'));
afterAll(() => engine.close());

/** Characters that matter to a SQL literal, often, among any others. */
const TRICKY = fc.oneof(
  fc.constantFrom("'", '\\', '"', '`', '\n', '\t', '\0', ';', '{', '}', '-', '/', '*'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);

describe('inlining {name:Type} parameters for servers without them', () => {
  it('gives back any string exactly, whatever quotes, backslashes or SQL it holds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: TRICKY, maxLength: 40 }), async (s) => {
        const sql = inlineParameters('SELECT {s:String} AS s, 1 AS one', { s });
        expect(await engine.query(sql)).toEqual([{ s, one: 1 }]);
      }),
      { numRuns: 200 },
    );
  });

  it('gives back integers and days with their types', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), async (n) => {
        const sql = inlineParameters('SELECT {n:Int32} AS n, toTypeName({n:Int32}) AS t', { n });
        expect(await engine.query(sql)).toEqual([{ n, t: 'Int32' }]);
      }),
      { numRuns: 50 },
    );
    expect(await engine.query(inlineParameters('SELECT toString({d:Date} + 1) AS d', { d: '2024-02-28' }))).toEqual([
      { d: '2024-02-29' },
    ]);
  });

  it('turns an array literal into the tuple `IN` needs', async () => {
    const ids = ["a'b", 'c\\d', 'e'];
    const literal = `[${ids.map((id) => `'${id.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(',')}]`;
    const sql = inlineParameters("SELECT arrayJoin([{x:String}, 'z']) AS v WHERE v IN {ids:Array(String)}", {
      x: "a'b",
      ids: literal,
    });
    expect(await engine.query(sql)).toEqual([{ v: "a'b" }]);
  });

  it('refuses what it cannot inline safely', () => {
    expect(() => inlineParameters('SELECT {x:String}', {})).toThrow('no value');
    expect(() => inlineParameters('SELECT {x:UInt8}', { x: Number.NaN })).toThrow('finite');
    expect(() => inlineParameters("SELECT {x:String') OR (1}", { x: 'a' })).toThrow('unexpected parameter type');
    expect(() => inlineParameters('SELECT 1 IN {x:Array(String)}', { x: '[]' })).toThrow('empty');
    expect(() => inlineParameters('SELECT 1 IN {x:Array(String)}', { x: "['a'] OR 1" })).toThrow('array literal');
  });
});

describe('server capabilities by version', () => {
  it.each([
    ['18.16.1', { serverSideParameters: false, insertDeduplication: false, explainAst: false }],
    ['19.11.3.11', { serverSideParameters: true, insertDeduplication: false, explainAst: false }],
    ['20.6.1', { serverSideParameters: true, insertDeduplication: false, explainAst: true }],
    ['23.8.2.7', { serverSideParameters: true, insertDeduplication: true, explainAst: true }],
    ['24.8.4.13', { serverSideParameters: true, insertDeduplication: true, explainAst: true }],
  ])('%s', (version, expected) => expect(capabilitiesOf(version)).toEqual(expected));
});
