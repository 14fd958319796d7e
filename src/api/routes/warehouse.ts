import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteOptions } from '../../http/deps.ts';

const MigrationState = Type.Object({
  version: Type.Integer(),
  name: Type.String(),
  applied_at: Type.Union([Type.String(), Type.Null()]),
});
const toOutput = (m: { version: number; name: string; appliedAt: string | null }) => ({
  version: m.version,
  name: m.name,
  applied_at: m.appliedAt,
});

/** ClickHouse migrations, for the CLI while this process owns the embedded warehouse. */
export const warehouseRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'migrator'>> = async (app, { migrator }) => {
  app.get(
    '/api/warehouse/migrations',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'ClickHouse migrations and whether each is applied',
        response: { 200: Type.Object({ migrations: Type.Array(MigrationState) }) },
      },
    },
    async () => ({ migrations: (await migrator.status()).map(toOutput) }),
  );
  app.post(
    '/api/warehouse/migrations',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Apply pending ClickHouse migrations',
        response: { 200: Type.Object({ applied: Type.Array(MigrationState) }) },
      },
    },
    async () => ({ applied: (await migrator.up()).map(toOutput) }),
  );
};
