import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, Page, UserInput } from '../../events/schemas.ts';
import { assumeUtc, parseTimestamp } from '../../events/timestamp.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { HttpError } from '../../http/errors.ts';
import { toPage } from '../../http/page.ts';

/** The seed's names for steplog's event fields. */
const FIELD_OF: Record<string, string> = {
  step_id: 'target_id',
  time: 'time',
  user_id: 'user_id',
  action_id: 'action_id',
};
const Success = Type.Object({ success: Type.String() });
const Action = Type.Object({
  id: Type.Integer(),
  action_id: Type.Integer(),
  target_id: Type.Integer(),
  user_id: Type.Integer(),
  time: Type.String({ format: 'date-time' }),
});
const SeedUser = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  email: Type.String(),
  join_date: Type.String({ format: 'date-time' }),
  registration_date: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The tasktracker seed's routes, for its clients, on steplog's own ingest and catalog: an action
 * is a learning event (target_id is the step), a seed user a steplog user. Naive times mean UTC.
 */
export const tasktrackerRoutes: FastifyPluginAsyncTypebox<
  Pick<RouteOptions, 'ingest' | 'catalog' | 'eventLog'>
> = async (app, { ingest, catalog, eventLog }) => {
  app.post(
    '/api/actions/',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['tasktracker seed'],
        summary: 'Record an action, as the tasktracker seed does: {"action": {action_id, target_id, user_id, time}}',
        description:
          '200 {"success": "Action \'<id>\' created successfully"} once on disk; 400 naming the field otherwise.',
        body: Type.Object({ action: Type.Record(Type.String(), Type.Unknown()) }, { additionalProperties: false }),
        response: { 200: Success, 400: ErrorBody, 503: ErrorBody },
      },
    },
    async (request) => {
      const { action_id, target_id, user_id, time, ...unknown } = request.body.action;
      const extra = Object.keys(unknown)[0];
      if (extra !== undefined)
        throw new HttpError(400, 'validation', `action.${extra} is not a known field`, `action.${extra}`);
      const event = {
        action_id,
        step_id: target_id,
        user_id,
        ...(typeof time === 'string' ? { time: assumeUtc(time) } : time !== undefined && { time }),
      };
      const [result] = await ingest.ingest([event]);
      if (result!.status === 'rejected') {
        const field = `action.${FIELD_OF[result!.error.field] ?? result!.error.field}`;
        throw new HttpError(400, result!.error.error, result!.error.message.replace(result!.error.field, field), field);
      }
      return { success: `Action '${result!.id}' created successfully` };
    },
  );

  app.get(
    '/api/actions/',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['tasktracker seed'],
        summary: 'List actions by id, in the tasktracker seed’s shape',
        querystring: Page,
        response: { 200: Type.Object({ actions: Type.Array(Action) }) },
      },
    },
    async (request) => ({
      actions: (await eventLog.listEvents(toPage(request.query))).map((e) => ({
        id: e.id,
        action_id: e.actionId,
        target_id: e.stepId,
        user_id: e.userId,
        time: iso(e.time),
      })),
    }),
  );

  app.post(
    '/api/users/',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tasktracker seed'],
        summary: 'Create a user, as the tasktracker seed does: {"user": {name, email, registration_date}}',
        body: Type.Object({ user: UserInput }, { additionalProperties: false }),
        response: { 200: Success, 400: ErrorBody },
      },
    },
    async (request) => {
      const { name, email, join_date, registration_date } = request.body.user;
      const time = (text: string, field: string) => {
        const parsed = parseTimestamp(text, field);
        if (!parsed.ok) throw new HttpError(400, 'validation', parsed.message, `user.${field}`);
        return parsed.ms;
      };
      const user = await catalog.createUser({
        name,
        email: email ?? '',
        joinDate: join_date === undefined ? Date.now() : time(join_date, 'join_date'),
        registrationDate: registration_date == null ? null : time(registration_date, 'registration_date'),
      });
      return { success: `User '${user.id}' created successfully` };
    },
  );

  app.get(
    '/api/users/',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tasktracker seed'],
        summary: 'List users by id, in the tasktracker seed’s shape',
        querystring: Page,
        response: { 200: Type.Object({ users: Type.Array(SeedUser) }) },
      },
    },
    async (request) => ({
      users: (await catalog.listUsers(toPage(request.query))).map((u) => ({
        id: u.id,
        name: u.name,
        email: u.email,
        join_date: iso(u.joinDate),
        registration_date: u.registrationDate === null ? null : iso(u.registrationDate),
      })),
    }),
  );
};
