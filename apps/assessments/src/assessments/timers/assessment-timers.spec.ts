import { timersOf, type TimedPoint } from './assessment-timers.js';

const point = (status: TimedPoint['status']): TimedPoint => ({
  id: '0190a0a0-0000-7000-8000-000000000001',
  status,
  dueAt: new Date('2027-04-01T00:00:00.000Z'),
  overdueAt: new Date('2027-04-15T00:00:00.000Z'),
});

describe('timersOf', () => {
  it('gives a SCHEDULED point a due and an overdue timer named by point, moment and instant', () => {
    const due = Date.parse('2027-04-01T00:00:00.000Z');
    const overdue = Date.parse('2027-04-15T00:00:00.000Z');
    expect(timersOf(point('SCHEDULED'))).toEqual([
      {
        id: `due-0190a0a0-0000-7000-8000-000000000001-${due}`,
        data: { pointId: '0190a0a0-0000-7000-8000-000000000001', moment: 'due', at: '2027-04-01T00:00:00.000Z' },
      },
      {
        id: `overdue-0190a0a0-0000-7000-8000-000000000001-${overdue}`,
        data: { pointId: '0190a0a0-0000-7000-8000-000000000001', moment: 'overdue', at: '2027-04-15T00:00:00.000Z' },
      },
    ]);
  });

  it('gives a DUE point only its overdue timer, and a finished point none', () => {
    expect(timersOf(point('DUE')).map((t) => t.data.moment)).toEqual(['overdue']);
    for (const status of ['OVERDUE', 'COMPLETED', 'CANCELLED'] as const) expect(timersOf(point(status))).toEqual([]);
  });

  it('names the same timer the same way every time and a moved one differently', () => {
    expect(timersOf(point('SCHEDULED'))).toEqual(timersOf(point('SCHEDULED')));
    const moved = { ...point('SCHEDULED'), dueAt: new Date('2027-05-01T00:00:00.000Z') };
    expect(timersOf(moved)[0].id).not.toBe(timersOf(point('SCHEDULED'))[0].id);
  });

  it('makes job ids BullMQ accepts: no colon, not an integer', () => {
    for (const t of timersOf(point('SCHEDULED'))) {
      expect(t.id).not.toContain(':');
      expect(`${parseInt(t.id, 10)}`).not.toBe(t.id);
    }
  });
});
