/** The web admin's accounts and login sessions (tokens stored as hashes). */
export interface AdminAccounts {
  create(username: string, passwordHash: string): Promise<Admin>;
  find(username: string): Promise<(Admin & { readonly passwordHash: string }) | undefined>;
  createSession(tokenHash: string, adminId: number, expiresAt: number): Promise<void>;
  /** The admin a live session belongs to; expired sessions answer undefined. */
  sessionAdmin(tokenHash: string, now: number): Promise<Admin | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
}

export interface Admin {
  readonly id: number;
  readonly username: string;
}
