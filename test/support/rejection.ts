/** The ProvisioningError a promise rejects with; fails the test when it resolves or rejects otherwise. */
import { ProvisioningError } from '../../src/errors/index';

export async function rejection(promise: Promise<unknown>): Promise<ProvisioningError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProvisioningError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}
