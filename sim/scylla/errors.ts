/**
 * Errors of the simulated Scylla, shaped like cassandra-driver's (`errors.ResponseError`,
 * `errors.OperationTimedOutError`, ...) so that engine code branches the same way on the real
 * and the simulated store (see `StoreError` in engine/ports/store.ts), and the table of every
 * server message the simulator produces, worded exactly as Apache Cassandra 5.0 words them.
 *
 * Each message names where Cassandra raises it (class and method in cassandra-all 5.0.9) and was
 * checked against a running Cassandra 5.0.9 through cassandra-driver 4.x (the golden transcripts
 * in test/sim-scylla/golden/ are those observations).
 */
import type { StoreError } from "../../engine/ports/store.ts";

/** cassandra-driver `types.responseErrorCodes`. */
export const ErrorCode = {
  serverError: 0x0000,
  protocolError: 0x000a,
  badCredentials: 0x0100,
  unavailableException: 0x1000,
  overloaded: 0x1001,
  isBootstrapping: 0x1002,
  truncateError: 0x1003,
  writeTimeout: 0x1100,
  readTimeout: 0x1200,
  readFailure: 0x1300,
  functionFailure: 0x1400,
  writeFailure: 0x1500,
  syntaxError: 0x2000,
  unauthorized: 0x2100,
  invalid: 0x2200,
  configError: 0x2300,
  alreadyExists: 0x2400,
  unprepared: 0x2500,
} as const;

export type StoreErrorName = StoreError["name"];

/** Base of every error the simulated store rejects with. */
export class SimStoreError extends Error implements StoreError {
  override name: StoreErrorName;
  code?: number;
  info: string;

  constructor(name: StoreErrorName, message: string, info: string) {
    super(message);
    this.name = name;
    this.info = info;
  }
}

/** A server error (cassandra-driver `errors.ResponseError`). */
export class ResponseError extends SimStoreError {
  override code: number;
  /** alreadyExists: the keyspace and (for a table) the table. */
  keyspace?: string;
  table?: string;
  /** writeTimeout: consistency (driver `types.consistencies` value), acks received, acks required, write type. */
  consistencies?: number;
  received?: number;
  blockFor?: number;
  writeType?: WriteType;

  constructor(code: number, message: string) {
    super("ResponseError", message, "Represents an error message from the server");
    this.code = code;
  }
}

/** A client-side timeout: the driver heard nothing back within `readTimeout` (the write may have applied). */
export class OperationTimedOutError extends SimStoreError {
  host: string;

  constructor(message: string, host: string) {
    super(
      "OperationTimedOutError",
      message,
      "Represents a client-side error that is raised when the client did not hear back from the server within socketOptions.readTimeout",
    );
    this.host = host;
  }
}

export class NoHostAvailableError extends SimStoreError {
  innerErrors: Record<string, unknown>;

  constructor(message: string) {
    super(
      "NoHostAvailableError",
      message,
      "Represents an error when a query cannot be performed because no host is available or could be reached by the driver.",
    );
    this.innerErrors = {};
  }
}

/**
 * A client-side argument error. The driver raises JS `TypeError` / `RangeError` / `SyntaxError`
 * when it cannot encode a parameter for the column's type; the simulator keeps the driver's
 * message but names it `ArgumentError` (the `StoreError` name real adapters map those to), and
 * keeps the driver's own class name in `driverErrorName`.
 */
export class ArgumentError extends SimStoreError {
  driverErrorName: string;

  constructor(message: string, driverErrorName = "ArgumentError") {
    super(
      "ArgumentError",
      message,
      "Represents an error that is raised when one of the arguments provided to a method is not valid.",
    );
    this.driverErrorName = driverErrorName;
  }
}

/** Cassandra's `WriteType` as reported in a write timeout. */
export type WriteType = "SIMPLE" | "BATCH" | "UNLOGGED_BATCH" | "COUNTER" | "BATCH_LOG" | "CAS";

/** cassandra-driver `types.consistencies`. */
export const Consistency = { localOne: 0x0a, serial: 0x08, localSerial: 0x09, one: 0x01 } as const;

const CONSISTENCY_NAME: Record<number, string> = {
  [Consistency.localOne]: "LOCAL_ONE",
  [Consistency.serial]: "SERIAL",
  [Consistency.localSerial]: "LOCAL_SERIAL",
  [Consistency.one]: "ONE",
};

export function invalid(message: string): ResponseError {
  return new ResponseError(ErrorCode.invalid, message);
}

export function configError(message: string): ResponseError {
  return new ResponseError(ErrorCode.configError, message);
}

export function syntaxError(message: string): ResponseError {
  return new ResponseError(ErrorCode.syntaxError, message);
}

export function alreadyExists(message: string, keyspace: string, table?: string): ResponseError {
  const e = new ResponseError(ErrorCode.alreadyExists, message);
  e.keyspace = keyspace;
  if (table !== undefined) e.table = table;
  return e;
}

/**
 * A server-side write timeout, with the text cassandra-driver builds from the frame
 * (lib/readers.js: "Server timeout during write query at consistency %s (%d peer(s)
 * acknowledged the write over %d required)"). CAS writes time out at SERIAL consistency.
 */
export function writeTimeout(
  writeType: WriteType,
  consistency: number = Consistency.localOne,
): ResponseError {
  const cl = CONSISTENCY_NAME[consistency] ?? String(consistency);
  const what = writeType === "BATCH_LOG" ? "batchlog write" : "write query";
  const e = new ResponseError(
    ErrorCode.writeTimeout,
    `Server timeout during ${what} at consistency ${cl} (0 peer(s) acknowledged the write over 1 required)`,
  );
  e.consistencies = consistency;
  e.received = 0;
  e.blockFor = 1;
  e.writeType = writeType;
  return e;
}

/** cassandra-driver lib/request-execution.js: the text of a client-side read timeout. */
export function clientTimeout(host: string, timeoutMs: number): OperationTimedOutError {
  return new OperationTimedOutError(`The host ${host} did not reply before timeout ${timeoutMs} ms`, host);
}

/**
 * Every server message, by name. `%s`-style arguments are the function parameters. The comment
 * on each names the Cassandra 5.0 class.method that raises it.
 */
export const MSG = {
  // --- schema lookups -------------------------------------------------------------------------
  /** schema.Schema.validateTable (used by every DML statement). */
  keyspaceDoesNotExist: (ks: string) => `keyspace ${ks} does not exist`,
  /** schema.Schema.validateTable. The table name only, unqualified. */
  tableDoesNotExist: (t: string) => `table ${t} does not exist`,
  /** service.ClientState.validateKeyspace (USE). */
  useKeyspaceDoesNotExist: (ks: string) => `Keyspace '${ks}' does not exist`,
  /** service.ClientState.getKeyspace: an unqualified table with no USE. */
  noKeyspace: () =>
    "No keyspace has been specified. USE a keyspace, or explicitly specify keyspace.tablename",
  /** schema.TableMetadata.getExistingColumn; `table` prints as ks.t (quoted where needed). */
  undefinedColumn: (col: string, table: string) => `Undefined column name ${col} in table ${table}`,

  // --- DDL ---------------------------------------------------------------------------------------
  /** cql3.statements.schema.CreateKeyspaceStatement.apply (AlreadyExistsException, 0x2400). */
  keyspaceExists: (ks: string) => `Cannot add existing keyspace "${ks}"`,
  /** cql3.statements.schema.CreateTableStatement.apply (AlreadyExistsException, 0x2400). */
  tableExists: (t: string, ks: string) => `Cannot add already existing table "${t}" to keyspace "${ks}"`,
  /** CreateTableStatement.apply, DropKeyspaceStatement.apply. */
  keyspaceDoesntExist: (ks: string) => `Keyspace '${ks}' doesn't exist`,
  /** DropTableStatement.apply. */
  tableDoesntExist: (ks: string, t: string) => `Table '${ks}.${t}' doesn't exist`,
  /** CreateKeyspaceStatement.apply. */
  missingOption: (opt: string) => `Missing mandatory option '${opt}'`,
  /** KeyspaceAttributes.validate (a ConfigurationException, 0x2300). */
  missingReplicationClass: () => "Missing replication strategy class",
  /** CreateTableStatement$Raw.prepare ("specifed" sic). */
  noPrimaryKey: (qualified: string) =>
    `No PRIMARY KEY specifed for table '${qualified}' (exactly one required)`,
  /** CreateTableStatement$Raw.setPartitionKeyColumns. */
  multiplePrimaryKeys: (qualified: string) =>
    `Multiple PRIMARY KEY specified for table '${qualified}' (exactly one required)`,
  /** CreateTableStatement$Raw.addColumn. */
  duplicateColumnDecl: (col: string, qualified: string) =>
    `Duplicate column '${col}' declaration for table '${qualified}'`,
  /** CreateTableStatement.builder (table name unqualified). */
  unknownPkColumn: (col: string, t: string) =>
    `Unknown column '${col}' referenced in PRIMARY KEY for table '${t}'`,
  /** CreateTableStatement.builder (table name unqualified). */
  duplicatePkColumn: (col: string, t: string) =>
    `Duplicate column '${col}' in PRIMARY KEY clause for table '${t}'`,
  /** CreateTableStatement.builder. */
  counterInPk: (col: string) => `counter type is not supported for PRIMARY KEY column '${col}'`,
  /** CreateTableStatement.builder. */
  counterMix: () => "Cannot mix counter and non counter columns in the same table",
  /** CreateTableStatement$Raw.extendClusteringOrder. */
  duplicateClusteringOrder: (col: string, qualified: string) =>
    `Duplicate column '${col}' in CLUSTERING ORDER BY clause for table '${qualified}'`,
  /** CreateTableStatement$Raw.prepare. */
  notClusteringInOrder: (cols: string[]) =>
    `Only clustering key columns can be defined in CLUSTERING ORDER directive: [${cols.join(", ")}] are not clustering columns`,
  /** CreateTableStatement.builder. */
  missingClusteringOrder: (col: string) => `Missing CLUSTERING ORDER for column ${col}`,
  /** CreateTableStatement.builder. */
  clusteringOrderMismatch: (a: string, b: string) =>
    `The order of columns in the CLUSTERING ORDER directive must match that of the clustering columns (${a} must appear before ${b})`,
  /** Type resolution (CQL3Type.Raw.prepare) for an unknown type name: qualified with the keyspace. */
  unknownType: (ks: string, type: string) => `Unknown type ${ks}.${type}`,

  // --- restrictions (cql3.restrictions.StatementRestrictions and friends) ------------------------
  /** SelectStatement$RawStatement.checkNeedsFiltering / StatementRestrictions.allowFilteringMessage. */
  allowFiltering: () =>
    "Cannot execute this query as it might involve data filtering and thus may have unpredictable performance. If you want to execute this query despite the performance unpredictability, use ALLOW FILTERING",
  /** StatementRestrictions.processPartitionKeyRestrictions (UPDATE/DELETE). */
  partitionKeyPartsMissing: (cols: string[]) => `Some partition key parts are missing: ${cols.join(", ")}`,
  /** StatementRestrictions.processClusteringColumnsRestrictions (INSERT/UPDATE/DELETE). */
  clusteringKeysMissing: (cols: string[]) => `Some clustering keys are missing: ${cols.join(", ")}`,
  /** StatementRestrictions.processPartitionKeyRestrictions; kind is UPDATE or DELETE. */
  partitionKeyOnlyEqIn: (kind: string) =>
    `Only EQ and IN relation are supported on the partition key (unless you use the token() function) for ${kind} statements`,
  /** StatementRestrictions.processClusteringColumnsRestrictions. */
  sliceInModification: (kind: string) =>
    `Slice restrictions are not supported on the clustering columns in ${kind} statements`,
  /** StatementRestrictions.processClusteringColumnsRestrictions. */
  precedingNotRestricted: (col: string, preceding: string) =>
    `PRIMARY KEY column "${col}" cannot be restricted as preceding column "${preceding}" is not restricted`,
  /** ClusteringColumnRestrictions.mergeWith. */
  precedingNonEq: (col: string, preceding: string) =>
    `Clustering column "${col}" cannot be restricted (preceding column "${preceding}" is restricted by a non-EQ relation)`,
  /** ClusteringColumnRestrictions.mergeWith: a slice added before a later clustering column's restriction. */
  precedingNonEqPk: (col: string, preceding: string) =>
    `PRIMARY KEY column "${col}" cannot be restricted (preceding column "${preceding}" is restricted by a non-EQ relation)`,
  /** restrictions merge (SimpleRestriction/MergedRestriction). */
  moreThanOneEq: (col: string) =>
    `${col} cannot be restricted by more than one relation if it includes an Equal`,
  /** restrictions merge. */
  eqAndSlice: (col: string) =>
    `Column "${col}" cannot be restricted by both an equality and an inequality relation`,
  /** restrictions merge; bound is "start" or "end". */
  twoBounds: (bound: string, col: string) =>
    `More than one restriction was found for the ${bound} bound on ${col}`,
  /** cql3.Relation.toRestriction. */
  unsupportedNeq: (relation: string) => `Unsupported "!=" relation: ${relation}`,
  /** Bound value checks (Terms): a null where a key or filter value is needed. */
  nullInCondition: (col: string) => `Invalid null value in condition for column ${col}`,
  /** Filtering on a regular column with a null value. */
  unsupportedNull: (col: string) => `Unsupported null value for column ${col}`,
  /** ModificationStatement restrictions: non-key column in WHERE (note the trailing space). */
  nonPkInWhere: (cols: string[]) => `Non PRIMARY KEY columns found in where clause: ${cols.join(", ")} `,
  /** QueryProcessor.validateKey. */
  emptyKey: () => "Key may not be empty",

  // --- ORDER BY / LIMIT --------------------------------------------------------------------------
  /** SelectStatement$RawStatement.verifyOrderingIsAllowed. */
  orderByNeedsPartitionKey: () =>
    "ORDER BY is only supported when the partition key is restricted by an EQ or an IN.",
  /** SelectStatement$RawStatement.isReversed. */
  orderByNotClustering: (col: string) =>
    `Order by is currently only supported on the clustered columns of the PRIMARY KEY, got ${col}`,
  /** SelectStatement$RawStatement.isReversed. */
  orderByNotInDeclaredOrder: () =>
    "Order by currently only supports the ordering of columns following their declared order in the PRIMARY KEY",
  /** SelectStatement$RawStatement.isReversed. */
  unsupportedOrderBy: () => "Unsupported order by relation",
  /** SelectStatement.execute, with the driver's default paging (fetchSize 5000) always on. */
  pagingOrderByIn: () =>
    "Cannot page queries with both ORDER BY and a IN restriction on the partition key; you must either remove the ORDER BY or the IN and sort client side, or disable paging for this query",
  /** SelectStatement.getLimit. */
  limitNotPositive: () => "LIMIT must be strictly positive",
  /** SelectStatement.getLimit. */
  nullLimit: () => "Invalid null value of limit",

  // --- modifications -----------------------------------------------------------------------------
  /** UpdateStatement$ParsedInsert.prepareInternal. */
  unmatchedColumns: () => "Unmatched column names/values",
  /** UpdateStatement$ParsedInsert.prepareInternal. */
  duplicateColumnNames: () => "The column names contains duplicates",
  /** UpdateStatement$ParsedUpdate.prepareInternal. */
  pkInSet: (col: string) => `PRIMARY KEY part ${col} found in SET part`,
  /** Parser (Cql.g columnOperation): `c = d + 1`; a SyntaxException, code 0x2000. */
  onlyXeqXplus: (op: string) => `Only expressions of the form X = X ${op}<value> are supported.`,
  /** Parser (Cql.g addRawUpdate): a SyntaxException, code 0x2000. */
  multipleSetting: (col: string) => `Multiple incompatible setting of column ${col}`,
  /** Operation$Addition/Substraction.prepare; op is the whole assignment, e.g. "v = v + 1". */
  nonCounterOperation: (op: string, col: string) => `Invalid operation (${op}) for non counter column ${col}`,
  /** Operation$SetValue.prepare. */
  setCounter: (col: string) =>
    `Cannot set the value of counter column ${col} (counters can only be incremented/decremented, not set)`,
  /** UpdateStatement$ParsedInsert.prepareInternal. */
  insertCounter: () => "INSERT statements are not allowed on counter tables, use UPDATE instead",
  /** ModificationStatement.validate. */
  counterTimestamp: () => "Cannot provide custom timestamp for counter updates",
  /** ModificationStatement.validate and ModificationStatement$Parsed.prepareColumnConditions. */
  conditionalTimestamp: () => "Cannot provide custom timestamp for conditional updates",
  /** ModificationStatement$Parsed.prepareColumnConditions. */
  pkCondition: (col: string) => `PRIMARY KEY column '${col}' cannot have IF conditions`,
  /** ColumnCondition$Raw.prepare. */
  counterCondition: () => "Conditions on counters are not supported",
  /** ColumnCondition (bound): a slice condition against null. */
  nullComparison: (op: string) => `Invalid comparison with null for operator "${op}"`,
  /** ModificationStatement.makeCasRequest; kind is "updates" or "deletions". */
  inPkConditional: (kind: string) => `IN on the partition key is not supported with conditional ${kind}`,
  /** ModificationStatement.makeCasRequest. */
  inCkConditional: (kind: string) =>
    `IN on the clustering key columns is not supported with conditional ${kind}`,
  /** DeleteStatement$Parsed.prepareInternal. */
  deleteNeedsFullKey: () =>
    "DELETE statements must restrict all PRIMARY KEY columns with equality relations in order to delete non static columns",
  /** DeleteStatement.addUpdateForKey. */
  rangeDeleteColumns: () => "Range deletions are not supported for specific columns",
  /** DeleteStatement$Parsed.prepareInternal. */
  deletePkColumn: (col: string) =>
    `Invalid identifier ${col} for deletion (should not be a PRIMARY KEY part)`,
  /** Selectable$WritetimeOrTTL.newSelectorFactory. */
  writetimeOnPk: (fn: string, col: string) =>
    `Cannot use selection function ${fn} on PRIMARY KEY part ${col}`,

  // --- batches -----------------------------------------------------------------------------------
  /** BatchStatement$Parsed (grammar): anything but INSERT/UPDATE/DELETE in a batch. */
  invalidBatchStatement: () =>
    "Invalid statement in batch: only UPDATE, INSERT and DELETE statements are allowed.",
  /** BatchStatement.makeCasRequest. */
  casBatchPartitions: () => "Batch with conditions cannot span multiple partitions",
  /** BatchStatement.validate. */
  casBatchTables: () => "Batch with conditions cannot span multiple tables",
  /** CQL3CasRequest.addConditions / addExistsCondition (also for IF EXISTS, as Cassandra says). */
  casMix: () => "Cannot mix IF conditions and IF NOT EXISTS for the same row",
  /** CQL3CasRequest.addExistsCondition. */
  casExistsMix: () => "Cannot mix IF EXISTS and IF NOT EXISTS conditions for the same row",
  /** BatchStatement.validate. */
  timestampBatchAndStatement: () => "Timestamp must be set either on BATCH or individual statements",
  /** BatchStatement.validate. */
  conditionalBatchTimestamp: () => "Cannot provide custom timestamp for conditional BATCH",
  /** BatchStatement.validate. */
  counterBatchTimestamp: () => "Cannot provide custom timestamp for counter BATCH",
  /** BatchStatement.validate. */
  counterInLoggedBatch: () => "Cannot include a counter statement in a logged batch",
  /** BatchStatement.validate. */
  counterMixBatch: () => "Counter and non-counter mutations cannot exist in the same batch",

  // --- bind values -------------------------------------------------------------------------------
  /** QueryProcessor.process (unprepared statement, wrong number of values). */
  bindCountUnprepared: () => "Invalid amount of bind variables",
  /** QueryProcessor.processPrepared. */
  bindCountPrepared: (markers: number, values: number) =>
    `there were ${markers} markers(?) in CQL but ${values} bound variables`,
  /** BatchMessage.execute (capitalised there, for both prepared and unprepared statements). */
  bindCountBatch: (markers: number, values: number) =>
    `There were ${markers} markers(?) in CQL but ${values} bound variables`,
  /** Constants$Literal.prepare; litType is STRING, INTEGER, FLOAT, BOOLEAN, ... */
  invalidConstant: (litType: string, text: string, col: string, type: string) =>
    `Invalid ${litType} constant (${text}) for "${col}" of type ${type}`,
  /** Int32Type.fromString. */
  unableToMakeInt: (text: string) => `Unable to make int from '${text}'`,
  /** LongType.fromString. */
  unableToMakeLong: (text: string) => `Unable to make long from '${text}'`,
  /** Int32Serializer.validate: an unprepared value of the wrong size. */
  badIntBytes: (n: number) => `Expected 4 or 0 byte int (${n})`,
  /** LongSerializer.validate. */
  badLongBytes: (n: number) => `Expected 8 or 0 byte long (${n})`,
  /** TimestampSerializer.dateStringToTimestamp. */
  unparsableDate: (text: string) => `Unable to parse a date/time from '${text}'`,
  /** TimestampSerializer.validate. */
  badTimestampBytes: (n: number) => `Expected 8 or 0 byte long for date (${n})`,
  /** BooleanSerializer.validate. */
  badBooleanBytes: (n: number) => `Expected 1 or 0 byte value (${n})`,
  /** UTF8Serializer.validate. */
  badUtf8: () => "String didn't validate.",
  /** Attributes.getTimestamp. */
  nullTimestamp: () => "Invalid null value of timestamp",
} as const;

/** Driver-side (client) messages, from cassandra-driver 4.x lib/encoder.js and lib/client.js. */
export const DRIVER_MSG = {
  notBigInt: (shown: string) => `Not a valid BigInt value, obtained ${shown}`,
  notText: (shown: string) => `Not a valid text value, expected String obtained ${shown}`,
  notNumber: (shown: string) => `Expected Number, obtained ${shown}`,
  cannotGuess: (shown: string) =>
    `Target data type could not be guessed, you should use prepared statements for accurate type mapping. Value: ${shown}`,
  emptyBatch: () => "Queries array should not be empty",
  afterShutdown: () => "Connecting after shutdown is not supported",
} as const;
