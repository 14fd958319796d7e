import type { NewSiteEvent } from '../../src/events/site-event.ts';
import { siteOutbox } from '../../src/queue/outbox/outbox-family.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import type { KyselyStore } from '../../src/store/kysely/kysely-store.ts';
import { random, uuidFor } from './fixtures.ts';

/** The site family's transport over a store, and `append` committing site events as ingest does. */
export function siteAdapters(store: KyselyStore) {
  const transport = new OutboxTransport(store, siteOutbox);
  const append = (events: readonly NewSiteEvent[]) => store.siteEventLog.appendEvents(events, transport.enqueue);
  return { transport, append };
}

const NAMES = ['view', 'click', 'purchase'];
const OBJS = ['page', 'button', 'recommendation', 'url'];

/** `count` site events of `visitors` visitors over the 10 days before `end`, some in an experiment. */
export function generateSiteEvents(
  count: number,
  visitors: number,
  seed = 1,
  end = Date.UTC(2026, 10, 1),
): NewSiteEvent[] {
  const rnd = random(seed);
  return Array.from({ length: count }, (_, i): NewSiteEvent => {
    const userId = Math.floor(rnd() * visitors);
    const name = NAMES[Math.floor(rnd() * NAMES.length)]!;
    return {
      eventId: uuidFor(seed * 1_000_000 + i),
      time: end - Math.floor(rnd() * 10 * 86_400_000),
      name,
      userId,
      url: `https://shop.example/p/${Math.floor(rnd() * 20)}?ref=${i}`,
      obj: OBJS[Math.floor(rnd() * OBJS.length)]!,
      objId: String(Math.floor(rnd() * 5)),
      productId: rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * 10),
      amount: name === 'purchase' ? Math.round(rnd() * 10_000) / 100 : 0,
      exp: userId % 3 === 0 ? {} : { checkout: userId % 2 === 0 ? 'a' : 'b', banner: userId % 5 === 0 ? 'on' : 'off' },
    };
  });
}
