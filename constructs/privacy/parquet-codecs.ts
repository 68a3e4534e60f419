/**
 * Compression codecs the erasure rewrite can both read and write, so that every rewritten column chunk
 * keeps its source codec. SNAPPY and UNCOMPRESSED are built into hyparquet and hyparquet-writer; GZIP and
 * BROTLI come from Node's zlib; ZSTD only where this Node has it (zlib.zstd*, Node 22.15 and later: the
 * Lambda runtime, Node 24, does). LZ4, LZ4_RAW and LZO are not: an object using them is refused.
 */
import * as zlib from 'node:zlib';
import type { CompressionCodec } from 'hyparquet';

export type Decompressors = { [K in CompressionCodec]?: (input: Uint8Array, outputLength: number) => Uint8Array };
export type Compressors = { [K in CompressionCodec]?: (input: Uint8Array) => Uint8Array };

interface ZstdZlib {
  zstdCompressSync?: (input: Uint8Array) => Buffer;
  zstdDecompressSync?: (input: Uint8Array) => Buffer;
}

const bytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

function codecTable(): { read: Decompressors; write: Compressors } {
  const read: Decompressors = {
    GZIP: (input) => bytes(zlib.gunzipSync(input)),
    BROTLI: (input) => bytes(zlib.brotliDecompressSync(input)),
  };
  const write: Compressors = {
    GZIP: (input) => bytes(zlib.gzipSync(input)),
    BROTLI: (input) => bytes(zlib.brotliCompressSync(input)),
  };
  const zstd = zlib as unknown as ZstdZlib;
  if (zstd.zstdCompressSync && zstd.zstdDecompressSync) {
    const compress = zstd.zstdCompressSync;
    const decompress = zstd.zstdDecompressSync;
    read.ZSTD = (input) => bytes(decompress(input));
    write.ZSTD = (input) => bytes(compress(input));
  }
  return { read, write };
}

export const CODECS = codecTable();

/** Codecs this process can round-trip. */
export function supportedCodecs(): CompressionCodec[] {
  return ['UNCOMPRESSED', 'SNAPPY', ...(Object.keys(CODECS.write) as CompressionCodec[])];
}
