/**
 * Hash worker: the sha256 of each pack file being downloaded (src/storage/hash-jobs.ts), fed the
 * chunks the downloader transfers as they arrive, so hashing costs the main thread nothing.
 */
import { expose } from 'comlink';
import { installErrorTransfer } from '../browser/comlink-errors';
import { hashJobs } from '../storage/hash-jobs';
import { holdAliveLock } from './alive-lock';

installErrorTransfer();

const api = { ...hashJobs(), holdAliveLock };

export type HashApi = typeof api;
expose(api);
