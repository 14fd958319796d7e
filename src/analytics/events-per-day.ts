import type { Warehouse } from '../warehouse/warehouse.ts';
import { daysBetween, type Count } from './days.ts';
import { sqlFile } from './sql-file.ts';

export interface EventsPerDay {
  readonly day: string;
  readonly view: number;
  readonly submit: number;
  readonly solve: number;
}

const SQL = sqlFile('events-per-day');

/** Event counts per UTC day and action over [from, to]; idle days answer 0. */
export async function eventsPerDay(
  warehouse: Warehouse,
  query: { readonly from: string; readonly to: string },
): Promise<EventsPerDay[]> {
  const rows = await warehouse.query<{ day: string; view: Count; submit: Count; solve: Count }>(SQL, { ...query });
  const byDay = new Map(rows.map((row) => [row.day, row]));
  return daysBetween(query.from, query.to).map((day) => {
    const row = byDay.get(day);
    return { day, view: Number(row?.view ?? 0), submit: Number(row?.submit ?? 0), solve: Number(row?.solve ?? 0) };
  });
}
