import type { Selectable } from 'kysely';
import type { ActionId, StoredEvent, User } from '../../events/event.ts';
import type { ImportJob, ImportStatus, ImportTrigger } from '../import-jobs.ts';
import type { SavedQuery } from '../saved-queries.ts';
import type { Database } from './database.ts';

/** Rows as the domain sees them. */
export const toUser = (row: Selectable<Database['users']>): User => ({
  id: row.id,
  joinDate: row.join_date,
  registrationDate: row.registration_date,
  name: row.name,
  email: row.email,
});

export const toEvent = (row: Selectable<Database['events']>): StoredEvent => ({
  id: row.id,
  eventId: row.event_id,
  time: row.time,
  actionId: row.action_id as ActionId,
  stepId: row.step_id,
  userId: row.user_id,
  receivedAt: row.received_at,
});

export const toImportJob = (row: Selectable<Database['import_jobs']>): ImportJob => ({
  id: row.id,
  trigger: row.trigger as ImportTrigger,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  status: row.status as ImportStatus,
  rows: row.rows,
  batches: row.batches,
  reconciled: row.reconciled,
  deadLettered: row.dead_lettered,
  error: row.error,
});

export const toSavedQuery = (row: Selectable<Database['saved_queries']>): SavedQuery => ({
  id: row.id,
  name: row.name,
  sql: row.sql,
  updatedAt: row.updated_at,
});
