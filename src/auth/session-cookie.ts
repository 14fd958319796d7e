/** The admin session cookie: a random token whose SHA-256 is in `admin_sessions`. */
export const SESSION_COOKIE = 'steplog_session';
