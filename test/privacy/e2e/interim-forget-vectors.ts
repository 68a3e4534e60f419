/**
 * INTERIM: stands in for prv-store's `forget-vectors` handler (constructs/privacy/handlers/forget-vectors.ts)
 * until that branch commits it; removed when it is merged. Same input/output as the design's: delete (or,
 * in verify mode, count) the embeddings rows whose data_subject_id is one of the batch's subjects.
 */
interface Session {
  query(text: string, params?: unknown[]): Promise<{ rows: Array<Record<string, unknown>>; rowCount?: number | null }>;
  end(): Promise<void>;
}

export function createForgetVectors(deps: { readonly subjects: (batchId: string) => Promise<string[]>; readonly connect: () => Promise<Session> }) {
  return async (event: { batchId: string; mode: 'forget' | 'verify' }) => {
    const subjects = await deps.subjects(event.batchId);
    const session = await deps.connect();
    try {
      if (event.mode === 'verify') {
        const count = async (table: string) => Number((await session.query(`SELECT count(*)::int AS n FROM ${table} WHERE data_subject_id = ANY($1::text[])`, [subjects])).rows[0].n);
        return { mode: 'verify', chunks: await count('embedding_chunks'), documents: await count('embedding_documents') };
      }
      const remove = async (table: string) => (await session.query(`DELETE FROM ${table} WHERE data_subject_id = ANY($1::text[])`, [subjects])).rowCount ?? 0;
      return { mode: 'forget', chunks: await remove('embedding_chunks'), documents: await remove('embedding_documents'), vacuumed: false };
    } finally {
      await session.end();
    }
  };
}
