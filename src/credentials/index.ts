export { commonJsExports } from './common-js-exports.js';
export { createRamRoleCredentials, parseStsDocument } from './ram-role-credentials.js';
export type {
  CredentialsHealth,
  RamRoleCredentials,
  RamRoleOptions,
  SdkCredential,
  StsSession,
} from './ram-role-credentials.js';
