/**
 * The contracts of checked tables that cannot carry one as a Glue parameter (Iceberg tables: Athena
 * accepts no custom table properties), shipped with the function as a file (a Lambda layer, see the
 * construct) and read once per container. Node built-ins only, so the handler bundle stays small.
 */
import { readFileSync } from 'node:fs';

/** File name inside the layer's folder; the layer is mounted at /opt. */
export const CONTRACTS_FILE_NAME = 'lakehouse-contracts.json';
/** Where the function finds the file when the construct ships it. */
export const CONTRACTS_FILE_PATH = `/opt/${CONTRACTS_FILE_NAME}`;

/** `database.table` → the contract's JSON text (validated by the handler like a Glue parameter). */
export type ContractsByTable = ReadonlyMap<string, string>;

const cache = new Map<string, ContractsByTable>();

/** The file's contracts, by `database.table`; throws naming the file when it is missing or malformed. */
export function readContractsFile(path: string, read: (path: string) => string = (file) => readFileSync(file, 'utf8')): ContractsByTable {
  const cached = cache.get(path);
  if (cached) return cached;
  let parsed: unknown;
  try {
    parsed = JSON.parse(read(path));
  } catch (error) {
    throw new Error(`contracts file ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`contracts file ${path} is not an object of "<database>.<table>": contract`);
  const contracts = new Map(Object.entries(parsed as Record<string, unknown>).map(([table, contract]) => [table, JSON.stringify(contract)]));
  cache.set(path, contracts);
  return contracts;
}

/** The file's text for the given tables' contracts (what the construct writes). */
export function contractsFileText(entries: ReadonlyArray<{ readonly database: string; readonly table: string; readonly contract: unknown }>): string {
  return `${JSON.stringify(Object.fromEntries(entries.map((entry) => [`${entry.database}.${entry.table}`, entry.contract])), null, 1)}\n`;
}
