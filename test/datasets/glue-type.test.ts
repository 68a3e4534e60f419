import { describe, expect, it } from 'vitest';
import { parseGlueType, renderGlueType, structFieldPaths } from '../../constructs/datasets';

describe('Glue type parser', () => {
  it.each([
    ['string', 'string'],
    ['INTEGER', 'int'],
    ['decimal( 12 , 2 )', 'decimal(12,2)'],
    ['varchar(255)', 'varchar(255)'],
    ['array<struct<name:string,score:double>>', 'array<struct<name:string,score:double>>'],
    ['map<string, array<bigint>>', 'map<string,array<bigint>>'],
    ['struct<page_url:string,referrer:string>', 'struct<page_url:string,referrer:string>'],
  ])('parses %s and renders it as Glue stores it (%s)', (input, canonical) => {
    expect(renderGlueType(parseGlueType(input))).toBe(canonical);
  });

  it.each([
    ['text', 'unknown type "text"'],
    ['array<string', 'expected ">"'],
    ['map<array<string>,int>', 'map keys must be a primitive type'],
    ['struct<a:string,a:int>', 'struct field "a" appears twice'],
    ['decimal(40,2)', 'decimal precision must be 1-38'],
    ['varchar(0)', 'varchar length must be 1-65535'],
    ['string extra', 'unexpected "extra"'],
  ])('refuses %s: %s', (input, message) => {
    expect(() => parseGlueType(input)).toThrow(message);
  });

  it('lists nested struct fields by path, through arrays and maps', () => {
    expect(structFieldPaths(parseGlueType('struct<a:struct<b:int>,c:array<struct<d:string>>,e:map<string,struct<f:int>>>'))).toEqual([
      'a', 'a.b', 'c', 'c.d', 'e', 'e.f',
    ]);
  });
});
