/**
 * Checks, at synth, that a `rows` collection can read its dataset: the dataset is stored as plain Parquet
 * (Iceberg data files cannot be read one by one: deletes live in other files), and the id, text, ordering,
 * metadata and subject columns exist with types the row reader accepts. Also derives what the contract
 * decides for the function: the metadata column (when the dataset has one named `metadata`) and the
 * classification every row carries (the most restrictive of the columns read).
 */
import { CLASSIFICATIONS, type Classification, type DatasetDefinition } from '../datasets/model';
import { parseGlueType, type GlueType } from '../datasets/glue-type';
import { DEFAULT_ROW_COLUMNS, type RowSettings } from './settings';

export interface RowSourceProblem {
  /** Relative to the collection: `source`, `rows.idColumn`, … */
  readonly field: string;
  readonly value: unknown;
  readonly allowed: string;
}

const KEYS = ['string', 'varchar', 'char', 'tinyint', 'smallint', 'int', 'bigint'];
const TEXTS = ['string', 'varchar', 'char'];
const ORDERS = ['timestamp', 'date', 'tinyint', 'smallint', 'int', 'bigint'];

const kindOf = (type: GlueType): string => (type.kind === 'primitive' ? type.name : type.kind);

/** The columns of `rows` that this dataset cannot supply, or supplies with a type the reader refuses. */
export function rowSourceProblems(rows: RowSettings, dataset: DatasetDefinition): RowSourceProblem[] {
  if (dataset.format !== 'parquet') {
    return [{ field: 'source', value: 'rows', allowed: `dataset "${dataset.name}" is stored as ${dataset.format}; rows are read from plain Parquet datasets only (Iceberg keeps deletes in other files): point the collection at a Parquet dataset, or set source "objects" for a prefix of text files` }];
  }
  const problems: RowSourceProblem[] = [];
  const columns = new Map(dataset.columns.map((column) => [column.name, column]));
  const names = dataset.columns.map((column) => column.name).join(', ');
  const check = (field: keyof RowSettings, name: string | null | undefined, accepted: string[], what: string, isValid?: (type: GlueType) => boolean) => {
    if (name === null || name === undefined) return;
    const column = columns.get(name);
    if (!column) return void problems.push({ field: `rows.${field}`, value: name, allowed: `a column of dataset "${dataset.name}" (${names}) holding ${what}` });
    let type: GlueType;
    try {
      type = parseGlueType(column.type);
    } catch {
      return; // the dataset's own validation reports its type
    }
    if (isValid ? !isValid(type) : !accepted.includes(kindOf(type))) {
      problems.push({ field: `rows.${field}`, value: name, allowed: `a column holding ${what} (${accepted.join(', ')}); "${name}" is ${column.type}` });
    }
  };
  check('idColumn', rows.idColumn, KEYS, 'the document id');
  check('textColumn', rows.textColumn, TEXTS, 'the document text');
  check('orderColumn', rows.orderColumn, ORDERS, 'what orders versions of a document');
  check('metadataColumn', rows.metadataColumn, ['map<string,string>'], 'a map of strings', (type) => type.kind === 'map' && TEXTS.includes(kindOf(type.key)) && TEXTS.includes(kindOf(type.value)));
  check('subjectColumn', rows.subjectColumn, KEYS, 'the data subject id');
  if (rows.subjectMetadataKey !== undefined && (rows.metadataColumn === null || !columns.has(rows.metadataColumn))) {
    problems.push({ field: 'rows.subjectMetadataKey', value: rows.subjectMetadataKey, allowed: `a key of the metadata map, which needs a metadata column in dataset "${dataset.name}"` });
  }
  // A dataset whose contract names data-subject keys must hand one of them to the chunks, or an erasure
  // (which finds vectors by their data_subject_id) would find nothing and still report success.
  const decision = dataset.dataSubject;
  if (decision && 'keys' in decision && decision.keys.length > 0 && (rows.subjectColumn === null || rows.subjectColumn === undefined || !decision.keys.includes(rows.subjectColumn))) {
    problems.push({
      field: 'rows.subjectColumn',
      value: rows.subjectColumn ?? null,
      allowed: `one of dataset "${dataset.name}"'s data-subject keys (${decision.keys.join(', ')}): its contract says whose rows these are, and an erasure finds vectors by that id`,
    });
  }
  return problems;
}

/** The metadata column when none is named: `metadata` if the dataset has it, else none. */
export function defaultMetadataColumn(dataset: DatasetDefinition): string | null {
  return dataset.columns.some((column) => column.name === DEFAULT_ROW_COLUMNS.metadataColumn) ? DEFAULT_ROW_COLUMNS.metadataColumn : null;
}

/** The most restrictive classification of the columns a row's chunks carry (id, text, metadata, subject). */
export function rowClassification(rows: Pick<RowSettings, 'idColumn' | 'textColumn' | 'metadataColumn' | 'subjectColumn'>, dataset: DatasetDefinition): Classification | undefined {
  const read = new Set([rows.idColumn, rows.textColumn, rows.metadataColumn, rows.subjectColumn]);
  const ranks = dataset.columns.filter((column) => read.has(column.name)).map((column) => CLASSIFICATIONS.indexOf(column.classification));
  return ranks.length === 0 ? undefined : CLASSIFICATIONS[Math.max(...ranks)];
}
