/**
 * Types for the page-level entry points of hyparquet and hyparquet-writer. Both packages publish them
 * (`exports: { "./src/*.js": … }`), and esbuild, vitest and Node resolve them; only TypeScript's
 * `moduleResolution: node` cannot see the `exports` map, so the declarations are re-exported here from the
 * packages' own `types/` folders. The versions are pinned in package.json (the rewrite depends on them).
 */
declare module 'hyparquet/src/column.js' {
  export { parquetHeader } from 'hyparquet/types/column';
}
declare module 'hyparquet/src/datapage.js' {
  export { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/types/datapage';
}
declare module 'hyparquet/src/plain.js' {
  export { readPlain } from 'hyparquet/types/plain';
}
declare module 'hyparquet-writer/src/column.js' {
  export { writeColumn } from 'hyparquet-writer/types/column';
}
