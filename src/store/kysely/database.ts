import type { Generated } from 'kysely';

/** Table shapes shared by every SQL dialect. Times are epoch milliseconds (UTC). */
export interface Database {
  users: {
    id: Generated<number>;
    join_date: number;
    registration_date: number | null;
    name: string;
    email: string;
  };
  /** One row (id 1): bumped by triggers on every update or delete of a user. */
  users_version: {
    id: number;
    version: number;
  };
  tasks: {
    id: Generated<number>;
    title: string;
    text: string;
    answer: Generated<string>;
  };
  events: {
    id: Generated<number>;
    event_id: string;
    time: number;
    action_id: number;
    step_id: number;
    user_id: number;
    received_at: number;
  };
  outbox: {
    event_pk: number;
    /** Set once the loader forms a batch of it: the batch is then re-formed from these rows exactly. */
    batch_id: number | null;
  };
  outbox_batches: {
    id: Generated<number>;
    token: string;
    formed_at: number;
    /** When a relay had the batch confirmed by the broker (RabbitMQ transport). */
    published_at: number | null;
    /** The loader that formed or last took the batch; another takes it only after `lease_expires_at`. */
    leased_by: string | null;
    lease_expires_at: number | null;
  };
  dead_letters: {
    event_pk: number;
    error: string;
    token: string;
    failed_at: number;
    job_id: number;
  };
  /** Site events (the de-demo family), queued and dead-lettered in their own tables alike. */
  site_events: {
    id: Generated<number>;
    event_id: string;
    time: number;
    name: string;
    user_id: number;
    url: string;
    obj: string;
    obj_id: string;
    product_id: number;
    amount: number;
    /** JSON object: experiment → variant. */
    exp: string;
    received_at: number;
  };
  site_outbox: Database['outbox'];
  site_outbox_batches: Database['outbox_batches'];
  site_dead_letters: Database['dead_letters'];
  import_jobs: {
    id: Generated<number>;
    trigger: string;
    started_at: number;
    finished_at: number | null;
    status: string;
    rows: number;
    batches: number;
    reconciled: number;
    dead_lettered: Generated<number>;
    error: string | null;
    /** The process running the job (its store instance); null on jobs from before 0011/0006. */
    owner: string | null;
    /** Epoch ms of the owner's last heartbeat while the job runs. */
    heartbeat_at: number | null;
  };
  admins: {
    id: Generated<number>;
    username: string;
    password_hash: string;
    created_at: number;
  };
  admin_sessions: {
    token_hash: string;
    admin_id: number;
    expires_at: number;
  };
  saved_queries: {
    id: Generated<number>;
    name: string;
    sql: string;
    updated_at: number;
  };
  api_keys: {
    id: Generated<number>;
    name: string;
    scope: string;
    key_hash: string;
    prefix: string;
    created_at: number;
    revoked_at: number | null;
  };
}
