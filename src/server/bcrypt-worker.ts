// The bcrypt worker thread, run by bcrypt-pool.ts: one password check per task.
import bcrypt from 'bcryptjs';

export interface CompareTask {
  password: string;
  hash: string;
}

export default function compare({ password, hash }: CompareTask): boolean {
  try {
    return bcrypt.compareSync(password, hash);
  } catch {
    // A malformed hash matches no password.
    return false;
  }
}
