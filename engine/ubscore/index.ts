/** UBSCore: the single writer of balances. See engine/README.md. */
export * from "./journal.ts";
export * from "./service.ts";
export * from "./state.ts";
