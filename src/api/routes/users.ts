import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { isGuest, type User } from '../../events/event.ts';
import { ErrorBody, IdParams, Page, UserInput, UserOutput } from '../../events/schemas.ts';
import { parseTimestamp } from '../../events/timestamp.ts';
import { HttpError, foundOr404 } from '../../http/errors.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { toPage } from '../../http/page.ts';

const toOutput = (user: User) => ({
  id: user.id,
  name: user.name,
  email: user.email,
  join_date: new Date(user.joinDate).toISOString(),
  registration_date: user.registrationDate === null ? null : new Date(user.registrationDate).toISOString(),
  is_guest: isGuest(user),
});

function timestampOr400(text: string, field: string): number {
  const parsed = parseTimestamp(text, field);
  if (!parsed.ok) throw new HttpError(400, 'validation', parsed.message, field);
  return parsed.ms;
}

export const userRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'catalog'>> = async (app, { catalog }) => {
  app.post(
    '/api/users',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Create a user (a guest when registration_date is null or absent)',
        body: UserInput,
        response: { 201: UserOutput, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const user = await catalog.createUser({
        name: body.name,
        email: body.email ?? '',
        joinDate: body.join_date === undefined ? Date.now() : timestampOr400(body.join_date, 'join_date'),
        registrationDate:
          body.registration_date == null ? null : timestampOr400(body.registration_date, 'registration_date'),
      });
      return reply.code(201).send(toOutput(user));
    },
  );

  app.get(
    '/api/users',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'List users by id',
        querystring: Page,
        response: { 200: Type.Object({ users: Type.Array(UserOutput) }) },
      },
    },
    async (request) => ({ users: (await catalog.listUsers(toPage(request.query))).map(toOutput) }),
  );

  app.get(
    '/api/users/:id',
    {
      config: { scope: 'admin' },
      schema: { tags: ['users'], summary: 'One user', params: IdParams, response: { 200: UserOutput, 404: ErrorBody } },
    },
    async (request) => {
      return toOutput(foundOr404(await catalog.getUser(Number(request.params.id)), 'user', request.params.id));
    },
  );
};
