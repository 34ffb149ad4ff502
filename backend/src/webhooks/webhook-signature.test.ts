import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signDelivery } from './webhook-signature';

// The Standard Webhooks specification's test vector (standard-webhooks/standard-webhooks, the libraries' test suites).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

describe('webhook signatures', () => {
  it('sign the specification test vector to its expected signature', () => {
    const headers = signDelivery(VECTOR.secret, VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.body);
    expect(headers).toEqual({
      'webhook-id': VECTOR.id,
      'webhook-timestamp': String(VECTOR.timestamp),
      'webhook-signature': VECTOR.signature,
    });
  });

  it('agree with a plain HMAC-SHA256 over "id.timestamp.body" with the secret bytes', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-12-04T12:00:00.000Z');
    const body = '{"type":"page.updated","page":{"title":"Zoë’s page"}}';
    const headers = signDelivery(secret, 'msg_1', at, body);
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key)
      .update(`msg_1.${Math.floor(at.getTime() / 1000)}.${body}`)
      .digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('verify at a receiver that uses the reference library, and fail once the body changes', () => {
    const secret = generateWebhookSecret();
    const body = JSON.stringify({ type: 'page.created', n: 1 });
    const headers = signDelivery(secret, 'msg_2', new Date(), body);
    const receiver = new Webhook(secret);
    expect(receiver.verify(body, { ...headers })).toEqual({ type: 'page.created', n: 1 });
    expect(() => receiver.verify(body.replace('1', '2'), { ...headers })).toThrow();
  });

  it('make secrets of 32 random bytes behind the whsec_ prefix, never the same twice', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(a).not.toBe(b);
  });
});
