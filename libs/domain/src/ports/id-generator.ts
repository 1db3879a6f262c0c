export interface IdGenerator {
  /** A new lowercase UUID. */
  newId(): string;
}
