import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  computeThingsMessageToken,
  matchThingsMessageToken,
  verifyThingsMessageToken,
} from '../lib/uplink-signature';

/** Test vector from the API doc, section 4. */
const BODY =
  '[{"bn":"urn:dev:DEVEUI:0123456789ABCDEF:","bt":1700000000},{"n":"payload","vs":"0102ab"},{"n":"port","v":1}]';
const SECRET = 'Abcdefghijklmnopqrstuvwxyz0123!#';
const TOKEN = 'e27abd1670d83017b9f08ee8b186ab0741616f13fc23dcfe79a30ac50ef3a7fb';

describe('uplink-signature', () => {
  it('matches the documented test vector, for a string and a Buffer body', () => {
    assert.equal(computeThingsMessageToken(BODY, SECRET), TOKEN);
    assert.equal(computeThingsMessageToken(Buffer.from(BODY), SECRET), TOKEN);
    assert.equal(verifyThingsMessageToken(BODY, SECRET, TOKEN), true);
    assert.equal(verifyThingsMessageToken(Buffer.from(BODY), SECRET, TOKEN), true);
    assert.equal(verifyThingsMessageToken(new Uint8Array(Buffer.from(BODY)), SECRET, TOKEN), true);
  });

  it('compares the hex case-insensitively', () => {
    assert.equal(verifyThingsMessageToken(BODY, SECRET, TOKEN.toUpperCase()), true);
  });

  it('is plain sha256(body + secret), not an HMAC', () => {
    assert.equal(
      TOKEN,
      createHash('sha256')
        .update(BODY + SECRET)
        .digest('hex'),
    );
  });

  it('refuses a changed body, a changed secret and a different token', () => {
    assert.equal(verifyThingsMessageToken(BODY + ' ', SECRET, TOKEN), false);
    assert.equal(verifyThingsMessageToken(JSON.stringify(JSON.parse(BODY), null, 1), SECRET, TOKEN), false);
    assert.equal(verifyThingsMessageToken(BODY, SECRET + 'x', TOKEN), false);
    assert.equal(verifyThingsMessageToken(BODY, SECRET, TOKEN.replace(/^e/, 'f')), false);
  });

  it('is false for malformed tokens, never throwing', () => {
    for (const token of [
      undefined,
      null,
      '',
      123,
      [TOKEN],
      Buffer.from(TOKEN, 'hex'),
      TOKEN.slice(1),
      TOKEN + '0',
      TOKEN + TOKEN,
      ` ${TOKEN}`,
      'z'.repeat(64),
      TOKEN.slice(0, 63) + 'g',
    ]) {
      assert.equal(verifyThingsMessageToken(BODY, SECRET, token), false, String(token));
    }
  });

  it('is false for an empty or non-string secret and a body of the wrong type', () => {
    assert.equal(verifyThingsMessageToken(BODY, '', computeThingsMessageToken(BODY, '')), false);
    assert.equal(verifyThingsMessageToken(BODY, undefined as unknown as string, TOKEN), false);
    assert.equal(verifyThingsMessageToken({} as unknown as string, SECRET, TOKEN), false);
  });

  it('property: verify(compute(x)) holds, in either case, and the token is 64 lowercase hex digits', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array().map((b) => Buffer.from(b)),
        ),
        fc.string({ minLength: 1 }),
        (body, secret) => {
          const token = computeThingsMessageToken(body, secret);
          assert.match(token, /^[0-9a-f]{64}$/);
          assert.equal(verifyThingsMessageToken(body, secret, token), true);
          assert.equal(verifyThingsMessageToken(body, secret, token.toUpperCase()), true);
        },
      ),
    );
  });

  it('property: any other token is refused', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.oneof(fc.string(), fc.stringMatching(/^[0-9a-fA-F]{64}$/)),
        (body, secret, other) => {
          fc.pre(other.toLowerCase() !== computeThingsMessageToken(body, secret));
          assert.equal(verifyThingsMessageToken(body, secret, other), false);
        },
      ),
    );
  });

  it('property: flipping any single hex digit of a valid token is refused', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string({ minLength: 1 }),
        fc.nat({ max: 63 }),
        fc.integer({ min: 1, max: 15 }),
        (body, secret, i, d) => {
          const token = computeThingsMessageToken(body, secret);
          const flipped = ((parseInt(token[i], 16) + d) % 16).toString(16);
          const other = token.slice(0, i) + flipped + token.slice(i + 1);
          assert.equal(verifyThingsMessageToken(body, secret, other), false);
        },
      ),
    );
  });

  it('verifies Java-style number bodies byte-exactly, and a re-encoded body fails', () => {
    const body =
      '[{"bn":"urn:dev:DEVEUI:0059AC0000000001:","bt":1.76675482e9,"n":"payload","vs":"1b0c"},{"n":"port","v":3.0}]';
    const token = computeThingsMessageToken(Buffer.from(body), SECRET);
    assert.equal(verifyThingsMessageToken(Buffer.from(body), SECRET, token), true);
    const reencoded = JSON.stringify(JSON.parse(body));
    assert.match(reencoded, /"bt":1766754820,/);
    assert.equal(verifyThingsMessageToken(reencoded, SECRET, token), false);
  });

  describe('matchThingsMessageToken (secret rotation)', () => {
    const PREVIOUS = 'Zyxwvutsrqponmlkjihgfedcba9876!#';
    it('tells which secret matched: current 0, previous 1, none -1', () => {
      assert.equal(matchThingsMessageToken(BODY, [SECRET, PREVIOUS], TOKEN), 0);
      assert.equal(matchThingsMessageToken(BODY, [PREVIOUS, SECRET], TOKEN.toUpperCase()), 1);
      assert.equal(matchThingsMessageToken(BODY, [PREVIOUS], TOKEN), -1);
      assert.equal(matchThingsMessageToken(BODY, [SECRET, undefined], TOKEN), 0);
    });
    it('skips empty and missing secrets and refuses malformed tokens and bodies', () => {
      assert.equal(matchThingsMessageToken(BODY, ['', undefined], computeThingsMessageToken(BODY, '')), -1);
      assert.equal(matchThingsMessageToken(BODY, [SECRET], [TOKEN]), -1);
      assert.equal(matchThingsMessageToken(BODY, [SECRET], TOKEN.slice(2)), -1);
      for (const bad of [
        'z'.repeat(64),
        TOKEN.slice(0, 63) + 'g',
        'g' + TOKEN.slice(1),
        ` ${TOKEN.slice(1)}`,
      ]) {
        assert.equal(matchThingsMessageToken(BODY, [SECRET], bad), -1, bad);
      }
      assert.equal(matchThingsMessageToken({} as unknown as string, [SECRET], TOKEN), -1);
    });
  });

  it('property: verify(sign(body)) holds for any bytes and secrets, and any single-byte change fails', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.string({ minLength: 1 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (bytes, secret, at, delta) => {
          const body = Buffer.from(bytes);
          const token = computeThingsMessageToken(body, secret);
          assert.equal(verifyThingsMessageToken(body, secret, token), true);
          assert.equal(matchThingsMessageToken(body, ['other', secret], token), 1);
          const changed = Buffer.from(body);
          const i = at % changed.length;
          changed[i] = (changed[i] + delta) & 255;
          assert.equal(verifyThingsMessageToken(changed, secret, token), false);
          assert.equal(matchThingsMessageToken(changed, [secret, 'other'], token), -1);
        },
      ),
    );
  });
});
