import type Stripe from 'stripe';
import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf } from '@bastion/platform';

/** One Stripe customer per user, created on first checkout and reused; the link is ours to keep. */
export class StripeCustomers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly stripe: Stripe,
  ) {}

  async find(userId: string): Promise<string | null> {
    const rows: { customer_id: string }[] = await this.dataSource.query(
      `SELECT customer_id FROM ${schemaOf(this.dataSource)}.stripe_customers WHERE user_id = $1`,
      [userId],
    );
    return rows[0]?.customer_id ?? null;
  }

  async findOrCreate(userId: string): Promise<string> {
    const known = await this.find(userId);
    if (known) return known;
    // Stripe's idempotency key makes two concurrent first checkouts get the same customer.
    const customer = await this.stripe.customers.create(
      { metadata: { userId } },
      { idempotencyKey: `bastion-customer-${userId}` },
    );
    await this.dataSource.query(
      `INSERT INTO ${schemaOf(this.dataSource)}.stripe_customers (user_id, customer_id, created_at) VALUES ($1, $2, now()) ON CONFLICT DO NOTHING`,
      [userId, customer.id],
    );
    return (await this.find(userId)) ?? customer.id;
  }

  /** On USER_DELETED: the link between the person and Stripe's records goes. */
  static async forget(manager: EntityManager, userId: string): Promise<void> {
    const s = schemaOf(manager.connection);
    await manager.query(`DELETE FROM ${s}.stripe_customers WHERE user_id = $1`, [userId]);
    await manager.query(
      `UPDATE ${s}.stripe_payments SET user_id = NULL, updated_at = now() WHERE user_id = $1`,
      [userId],
    );
    await manager.query(
      `UPDATE ${s}.credit_subscriptions SET user_id = NULL, status = 'ENDED', ended_at = coalesce(ended_at, now()), updated_at = now() WHERE user_id = $1`,
      [userId],
    );
    await manager.query(`UPDATE ${s}.stripe_events SET user_id = NULL WHERE user_id = $1`, [
      userId,
    ]);
  }
}
