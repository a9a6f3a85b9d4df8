import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BOOKMARK_BUCKET_MS, BookmarkSchedule } from './bookmark-schedule';

/** The most a schedule's timer fires after its bucket's time (its jitter is below this). */
const JITTER_BOUND_MS = 250;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 100_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

function recordingSchedule() {
  const fired: Array<{ at: number; entries: string[] }> = [];
  const schedule = new BookmarkSchedule<string>((due) => fired.push({ at: Date.now(), entries: due.flat().sort() }));
  return { schedule, fired };
}

describe('BookmarkSchedule', () => {
  it('hands out the entries of one second together, at or after their time, never before', () => {
    const { schedule, fired } = recordingSchedule();
    schedule.add('a', 101_200);
    schedule.add('b', 101_900);
    schedule.add('c', 103_000);
    vi.advanceTimersByTime(1_999); // 101,999: the bucket of a and b (up to 102 s) is not due yet
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1 + JITTER_BOUND_MS);
    expect(fired.map((f) => f.entries)).toEqual([['a', 'b']]);
    expect(fired[0]!.at).toBeGreaterThanOrEqual(102_000);
    vi.advanceTimersByTime(BOOKMARK_BUCKET_MS);
    expect(fired.map((f) => f.entries)).toEqual([['a', 'b'], ['c']]);
    expect(schedule.armed()).toBe(false);
  });

  it('keeps one timer for any number of entries, armed for the earliest', () => {
    const { schedule, fired } = recordingSchedule();
    for (let i = 0; i < 1_000; i++) schedule.add(`w${i}`, 100_000 + 1_000 + ((i * 37) % 60_000));
    expect(vi.getTimerCount()).toBe(1);
    schedule.add('early', 100_500);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_000 + JITTER_BOUND_MS);
    expect(fired[0]!.entries).toContain('early');
    vi.advanceTimersByTime(61_000);
    expect(fired.flatMap((f) => f.entries)).toHaveLength(1_001);
    expect(vi.getTimerCount()).toBe(0);
    expect(schedule.size()).toBe(0);
  });

  it('puts an entry that is already due in the next bucket', () => {
    const { schedule, fired } = recordingSchedule();
    schedule.add('first', 100_000);
    vi.advanceTimersByTime(JITTER_BOUND_MS);
    expect(fired.map((f) => f.entries)).toEqual([['first']]);
    schedule.add('late', 50_000);
    vi.advanceTimersByTime(BOOKMARK_BUCKET_MS + JITTER_BOUND_MS);
    expect(fired.map((f) => f.entries)).toEqual([['first'], ['late']]);
  });

  it('lets the fired callback schedule again, and keeps the earlier buckets armed', () => {
    const fired: string[][] = [];
    const schedule: BookmarkSchedule<string> = new BookmarkSchedule<string>((due) => {
      fired.push(due.flat());
      for (const entry of due.flat()) if (entry === 'again') schedule.add('again-later', Date.now() + 10_000);
    });
    schedule.add('again', 101_000);
    schedule.add('other', 103_000);
    vi.advanceTimersByTime(1_000 + JITTER_BOUND_MS);
    vi.advanceTimersByTime(2_000);
    expect(fired).toEqual([['again'], ['other']]);
    vi.advanceTimersByTime(10_000);
    expect(fired).toEqual([['again'], ['other'], ['again-later']]);
  });

  it('drops every entry and its timer on clear', () => {
    const { schedule, fired } = recordingSchedule();
    schedule.add('a', 101_000);
    schedule.add('b', 130_000);
    expect(schedule.size()).toBe(2);
    schedule.clear();
    expect([schedule.size(), schedule.armed(), vi.getTimerCount()]).toEqual([0, false, 0]);
    vi.advanceTimersByTime(60_000);
    expect(fired).toEqual([]);
  });
});
