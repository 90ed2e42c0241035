// The `webhook` fixture: single deliveries of generated, signed events, valid and broken, judged by the matchers.
import { test, expect } from 'drhook/playwright';

test('a valid order.accepted is acknowledged within the deadline', async ({ webhook }) => {
  const delivery = await webhook.send('order.accepted');
  expect(delivery).toBeAcknowledged();
});

test('live events are signed with the live token and acknowledged', async ({ webhook }) => {
  const delivery = await webhook.send('refund.complete', { mode: 'live' });
  expect(delivery).toBeAcknowledged();
  expect(delivery.event.liveMode).toBe(true);
});

test('an event without a signature is rejected', async ({ webhook }) => {
  const delivery = await webhook.send('order.accepted', { fault: 'missing-signature' });
  expect(delivery).toBeRejectedWith([400, 401, 403]);
});

test('a stale signature is rejected', async ({ webhook }) => {
  const delivery = await webhook.send('order.accepted', { fault: 'stale-signature' });
  expect(delivery).toBeRejectedWith(401);
});

test('a live event signed with the test token is rejected', async ({ webhook }) => {
  const delivery = await webhook.send('order.accepted', { fault: 'wrong-mode-signature' });
  expect(delivery).toBeRejectedWith(401);
});

test('an order without a currency gets a 400 that names the field', async ({ webhook }) => {
  const delivery = await webhook.send('order.accepted', { malform: { pointer: '/currency', fault: 'missing' } });
  expect(delivery).toBeRejectedWith(400, /currency/);
});

test('a changed event, sent validly signed, is judged like any other', async ({ webhook }) => {
  const event = webhook.event('order.accepted');
  (event.data.object as { currency: string }).currency = 'EUR';
  const delivery = await webhook.send(event);
  expect(delivery).toBeAcknowledged();
});
