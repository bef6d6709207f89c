// Moved to shared/node/config-loader.ts (central loads configuration too). Kept only until every importer is updated.
export * from '../../shared/node/config-loader.ts';
