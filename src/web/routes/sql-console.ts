import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RouteOptions } from '../../http/deps.ts';
import { HttpError } from '../../http/errors.ts';
import { IdParams } from '../../events/schemas.ts';
import { WarehouseError } from '../../warehouse/warehouse.ts';
import { requireAdmin } from '../auth/admin-session.ts';
import { csrfGuard } from '../auth/csrf-guard.ts';
import { toCsv, type JsonCompact } from '../csv.ts';
import { renderPage } from '../render.ts';

const Sql = Type.String({ minLength: 1, maxLength: 100_000 });
const CsrfOnly = Type.Object({ _csrf: Type.String() }, { additionalProperties: false });

/**
 * The SQL console (Redash's role): ad-hoc SELECTs that the warehouse runs with readonly=1, shown as
 * a table and a chart, saved by name, downloaded as CSV. A query the engine refuses is a 400 that
 * carries the engine's message.
 */
export const sqlConsoleRoutes: FastifyPluginAsyncTypebox<
  Pick<RouteOptions, 'admins' | 'savedQueries' | 'warehouse' | 'config'>
> = async (app, { admins, savedQueries, warehouse, config }) => {
  // onRequest: before the body is parsed or validated, so an anonymous caller learns nothing about it.
  app.addHook('onRequest', requireAdmin(admins));
  const csrf = csrfGuard(app);

  const runReadOnly = async (request: FastifyRequest, sql: string): Promise<JsonCompact> => {
    // A client that goes away (closed tab, aborted fetch) cancels its query in the engine.
    const gone = new AbortController();
    const onClose = () => gone.abort();
    request.raw.socket.once('close', onClose);
    const started = Date.now();
    const audit = { audit: 'console_query', admin: request.admin?.username, sql: sql.slice(0, 2000) };
    try {
      const result = JSON.parse(
        await warehouse.queryReadOnly(sql, {
          format: 'JSONCompact',
          maxRows: config.sqlMaxRows,
          limits: config.sqlLimits,
          signal: gone.signal,
        }),
      ) as JsonCompact;
      request.log.info({ ...audit, ms: Date.now() - started, rows: result.data.length }, 'console query');
      return result;
    } catch (error) {
      request.log.info(
        { ...audit, ms: Date.now() - started, failed: true, cancelled: gone.signal.aborted },
        'console query',
      );
      if (error instanceof WarehouseError) throw new HttpError(400, 'query_failed', error.message, 'sql');
      throw error;
    } finally {
      request.raw.socket.off('close', onClose);
    }
  };

  app.get('/admin/sql', { schema: { hide: true } }, async (_request, reply) =>
    renderPage(reply, 'admin/sql', { saved: await savedQueries.list(), maxRows: config.sqlMaxRows }),
  );

  app.post(
    '/admin/sql/run',
    {
      schema: {
        hide: true,
        body: Type.Object({ sql: Sql }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            columns: Type.Array(Type.Object({ name: Type.String(), type: Type.String() })),
            rows: Type.Array(Type.Array(Type.Unknown())),
            truncated: Type.Boolean(),
          }),
        },
      },
      // fetch() sends the token in the x-csrf-token header.
      ...csrf,
    },
    async (request) => {
      const result = await runReadOnly(request, request.body.sql);
      return {
        columns: result.meta,
        rows: result.data.slice(0, config.sqlMaxRows),
        truncated: result.data.length >= config.sqlMaxRows,
      };
    },
  );

  app.post(
    '/admin/sql/csv',
    {
      schema: {
        hide: true,
        // The CSV button submits the save form, so the (unused) name comes along.
        body: Type.Object(
          { sql: Sql, name: Type.Optional(Type.String()), _csrf: Type.String() },
          { additionalProperties: false },
        ),
      },
      ...csrf,
    },
    async (request, reply) =>
      reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="steplog-query.csv"')
        // Built here rather than by the engine's CSV format, so formula cells can be neutralised.
        .send(toCsv(await runReadOnly(request, request.body.sql), config.sqlMaxRows)),
  );

  app.post(
    '/admin/sql/saved',
    {
      schema: {
        hide: true,
        body: Type.Object(
          { name: Type.String({ minLength: 1, maxLength: 200 }), sql: Sql, _csrf: Type.String() },
          { additionalProperties: false },
        ),
      },
      ...csrf,
    },
    async (request, reply) => {
      const saved = await savedQueries.save(request.body.name.trim(), request.body.sql);
      return reply.redirect(`/admin/sql?query=${saved.id}`, 303);
    },
  );

  app.post(
    '/admin/sql/saved/:id/delete',
    { schema: { hide: true, params: IdParams, body: CsrfOnly }, ...csrf },
    async (request, reply) => {
      await savedQueries.delete(Number(request.params.id));
      return reply.redirect('/admin/sql', 303);
    },
  );
};
