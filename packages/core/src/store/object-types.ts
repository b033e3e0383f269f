/** The git object types and their pack type codes: the one table for readers, writers and history. */
export type ObjectType = 'commit' | 'tree' | 'blob' | 'tag';

/** Pack entry type codes (pack-format.txt): 1-4 whole objects, 6 and 7 deltas. */
export const TYPE_BY_CODE: Readonly<Record<number, ObjectType>> = Object.freeze({ 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag' });
export const CODE_BY_TYPE: Readonly<Record<ObjectType, number>> = Object.freeze({ commit: 1, tree: 2, blob: 3, tag: 4 });
export const OFS_DELTA = 6;
export const REF_DELTA = 7;

export function isObjectType(s: string): s is ObjectType {
  return s === 'commit' || s === 'tree' || s === 'blob' || s === 'tag';
}
