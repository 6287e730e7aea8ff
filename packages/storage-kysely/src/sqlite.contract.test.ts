import { describeRepositoryContract } from './test-support/repository-contract.js';

describeRepositoryContract('sqlite');
