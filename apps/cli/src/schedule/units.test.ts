import { describe, expect, it } from 'vitest';
import { cronLine, cronQuote, cronTimes, parseScheduleSpec, systemdQuote, systemdUnits } from './units.js';

const spec = (o: { every?: string; daily?: string }) => {
  const s = parseScheduleSpec(o);
  if ('error' in s) throw new Error(s.error);
  return s;
};

describe('schedule units', () => {
  it('parses --every and --daily into cron times', () => {
    expect(cronTimes(spec({}))).toBe('0 * * * *');
    expect(cronTimes(spec({ every: '15m' }))).toBe('*/15 * * * *');
    expect(cronTimes(spec({ every: '6h' }))).toBe('0 */6 * * *');
    expect(cronTimes(spec({ every: '1d' }))).toBe('0 0 * * *');
    expect(cronTimes(spec({ every: '7d' }))).toBe('0 0 * * 0');
    expect(cronTimes(spec({ daily: '02:00' }))).toBe('0 2 * * *');
    expect(cronTimes(spec({ daily: '7:05' }))).toBe('5 7 * * *');
    for (const bad of [{ every: '7m' }, { every: '5h' }, { every: '2d' }, { every: 'hourly' }, { daily: '24:00' }, { daily: '2am' }, { every: '1h', daily: '02:00' }]) {
      expect(parseScheduleSpec(bad)).toHaveProperty('error');
    }
  });

  it('quotes for the shell and cron (% ends a cron command), and for systemd (% and $ are specials)', () => {
    expect(cronQuote("/a b/it's")).toBe(`'/a b/it'\\''s'`);
    expect(cronQuote('/x/100%')).toBe(`'/x/100\\%'`);
    expect(systemdQuote('/a b/"q"/100%/$HOME')).toBe('"/a b/\\"q\\"/100%%/$$HOME"');
    expect(cronLine(spec({ daily: '02:30' }), ['/n', '/c', '-C', '/v'], '/v/log', 'abc')).toBe(`30 2 * * * '/n' '/c' '-C' '/v' >>'/v/log' 2>&1 # savepoint-maintain:abc`);
  });

  it('a daily timer uses OnCalendar and catches up missed runs; an interval timer repeats from its last run', () => {
    const d = systemdUnits(spec({ daily: '02:00' }), ['/n'], '/v', 'id1');
    expect(d.timer.content).toMatch(/^OnCalendar=\*-\*-\* 02:00:00\nPersistent=true$/m);
    expect(d.service.name).toBe('savepoint-maintain-id1.service');
    const e = systemdUnits(spec({ every: '30m' }), ['/n'], '/v', 'id1');
    expect(e.timer.content).toMatch(/^OnUnitActiveSec=30min$/m);
    expect(e.timer.content).toMatch(/^Unit=savepoint-maintain-id1\.service$/m);
  });
});
