import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { backup } from '../../ops/backup.ts';

export const BackupOutput = Type.Object({
  dir: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
  files: Type.Array(Type.String(), { description: 'Data-dir files copied besides the store and the warehouse' }),
  duration_ms: Type.Integer(),
});

/** A backup taken by the process that owns the data (the embedded warehouse has one owner). */
export const backupRoutes: FastifyPluginAsyncTypebox<
  Pick<RouteOptions, 'backupSources' | 'scheduler' | 'log'>
> = async (app, { backupSources, scheduler }) => {
  app.post(
    '/api/backup',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Write a consistent copy of the store and the warehouse into a new dir on the server',
        description:
          'Loads wait meanwhile (events are still accepted and land in the copy’s backlog when committed before the ' +
          'store is copied). 409 when the dir is not empty or a load is in doubt; 501 on PostgreSQL or a ClickHouse ' +
          'server (the message names their own tools). `steplog restore <dir>` brings a data dir back.',
        body: Type.Object(
          { dir: Type.String({ minLength: 1, description: 'An absolute path on the server; created if missing' }) },
          { additionalProperties: false },
        ),
        response: { 200: BackupOutput, 409: ErrorBody, 501: ErrorBody },
      },
    },
    async (request) => {
      const started = Date.now();
      const manifest = await backup({ ...backupSources, scheduler }, request.body.dir);
      request.log.info({ audit: 'backup_written', dir: request.body.dir }, 'backup written');
      return {
        dir: request.body.dir,
        created_at: manifest.createdAt,
        files: [...manifest.files],
        duration_ms: Date.now() - started,
      };
    },
  );
};
