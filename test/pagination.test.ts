import { strict as assert } from 'node:assert';
import { CURSOR_LOOP_WINDOW, collect, cursorPages, type Fetched } from '../lib/pagination';
import type { CursorPage } from '../lib/types';

/** A cursor API in memory: page k links to `nextOf(k)` (a string like "c3"), or to nothing at `pages`. */
function fakeApi(
  pages: number,
  nextOf: (k: number) => number | null = (k) => (k + 1 < pages ? k + 1 : null),
) {
  const asked: (string | undefined)[] = [];
  const fetchPage = (link: string | undefined): Promise<Fetched<CursorPage<number>>> => {
    asked.push(link);
    const k = link === undefined ? 0 : Number(link.slice(1));
    const next = nextOf(k);
    return Promise.resolve({
      status: 200,
      retries: 0,
      body: { items: [k], next: next === null ? null : `c${next}`, prev: null } as CursorPage<number>,
    });
  };
  return { fetchPage, asked };
}

describe('cursorPages (lib/pagination)', function () {
  it('walks every page of a list far longer than its loop window', async function () {
    const pages = CURSOR_LOOP_WINDOW * 10 + 3;
    const api = fakeApi(pages);
    const result = await collect(cursorPages(api.fetchPage));
    assert.equal(result.items.length, pages);
    assert.deepEqual(result.items.slice(0, 3), [0, 1, 2]);
    assert.equal(api.asked.length, pages);
  });

  it('stops when the server sends a link it sent before (a loop), without asking it again', async function () {
    // 0 -> 1 -> 2 -> 3 -> 1 ...
    const api = fakeApi(100, (k) => (k === 3 ? 1 : k + 1));
    const result = await collect(cursorPages(api.fetchPage));
    assert.deepEqual(result.items, [0, 1, 2, 3]);
    assert.deepEqual(api.asked, [undefined, 'c1', 'c2', 'c3']);
  });

  it('stops a loop as long as its window (the longest loop it remembers)', async function () {
    const loop = CURSOR_LOOP_WINDOW;
    // 0 -> 1 -> ... -> loop -> 1: the repeated link c1 is `loop` links back.
    const api = fakeApi(10_000, (k) => (k === loop ? 1 : k + 1));
    const result = await collect(cursorPages(api.fetchPage));
    assert.equal(result.items.length, loop + 1);
  });
});
