/**
 * The throttled status badge (nodes/shared/status.ts): a single message shows blue then green at once;
 * a busy node updates a few times per second with counts, translating once per update; nothing is
 * shown after close.
 */
import { strict as assert } from 'node:assert';
import type { Node } from 'node-red';
import sinon from 'sinon';
import { groupDigits, NodeStatus, STATUS_KEYS } from '../nodes/shared/status';

interface Badge {
  fill?: string;
  shape?: string;
  text?: string;
}

function fakeNode(): { node: Node; shown: Badge[] } {
  const shown: Badge[] = [];
  const node = { status: (badge: Badge) => shown.push(badge) } as unknown as Node;
  return { node, shown };
}

describe('node status (throttled)', () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  it('shows one message at once: blue ring, then the green result, cleared after 10 s', () => {
    const { node, shown } = fakeNode();
    const status = new NodeStatus(node);
    status.requesting();
    status.success('queued on port 1');
    assert.deepEqual(shown, [
      { fill: 'blue', shape: 'ring', text: STATUS_KEYS.requesting },
      { fill: 'green', shape: 'dot', text: 'queued on port 1' },
    ]);
    clock.tick(10_000);
    assert.deepEqual(shown.at(-1), {});
  });

  it('an error is replaced by the next success', () => {
    const { node, shown } = fakeNode();
    const status = new NodeStatus(node);
    status.requesting();
    status.error('500 Internal Server Error');
    assert.equal(shown.at(-1)?.fill, 'red');
    status.requesting();
    status.success('ok');
    assert.equal(shown.at(-1)?.fill, 'green');
  });

  it('a busy node updates at most a few times per second, with counts translated once per update', () => {
    const { node, shown } = fakeNode();
    const translations: Record<string, string | number>[] = [];
    const translate = (key: string, params: Record<string, string | number>): string => {
      translations.push(params);
      return `${key} ${params.count}/${params.done}`;
    };
    const status = new NodeStatus(node, undefined, undefined, translate);
    let made = 0;
    const text = (): string => `result ${++made}`;
    for (let i = 0; i < 16; i++) status.requesting();
    for (let second = 0; second < 3; second++) {
      for (let i = 0; i < 1000; i++) {
        status.success(text);
        status.requesting();
        clock.tick(1);
      }
    }
    assert.ok(shown.length <= 3 * 5 + 1, `${shown.length} updates in 3 s`);
    assert.ok(translations.length <= shown.length, 'translated once per update at most');
    assert.ok(made <= shown.length, 'result texts made only when shown');
    const last = shown.at(-1) as Badge;
    assert.equal(last.fill, 'blue');
    assert.match(last.text ?? '', new RegExp(`^${STATUS_KEYS.inflight} 16/`));
    // The burst ends: the last result shows once nothing is in flight.
    for (let i = 0; i < 16; i++) status.success(text);
    clock.tick(1_000);
    assert.equal(shown.at(-1)?.fill, 'green');
    assert.match(shown.at(-1)?.text ?? '', /^result \d+$/);
  });

  it('shows nothing after close and leaves no timer', () => {
    const { node, shown } = fakeNode();
    const status = new NodeStatus(node);
    for (let i = 0; i < 10; i++) status.requesting();
    const before = shown.length;
    status.close();
    status.success('late');
    status.error('late');
    clock.tick(120_000);
    assert.equal(shown.length, before);
    assert.equal(clock.countTimers(), 0);
  });

  it('groups digits of counts', () => {
    assert.equal(groupDigits(7), '7');
    assert.equal(groupDigits(1234), '1\u202f234');
    assert.equal(groupDigits(1234567), '1\u202f234\u202f567');
  });
});
