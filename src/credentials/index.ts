export { createRamRoleCredentials, parseStsDocument } from './ram-role-credentials.js';
export type {
  CredentialsHealth,
  RamRoleCredentials,
  RamRoleOptions,
  StsSession,
} from './ram-role-credentials.js';
