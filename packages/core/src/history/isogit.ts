/** isomorphic-git is large (~100 ms to load); commands that only read cached history never load it. */
type IsoGit = typeof import('isomorphic-git').default;
let mod: Promise<IsoGit> | null = null;
export function isogit(): Promise<IsoGit> {
  mod ??= import('isomorphic-git').then((m) => m.default);
  return mod;
}
