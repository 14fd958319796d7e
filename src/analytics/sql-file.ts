import fs from 'node:fs';

/** Reads one of the analytics queries kept in ./sql. */
export const sqlFile = (name: string): string => fs.readFileSync(new URL(`./sql/${name}.sql`, import.meta.url), 'utf8');
