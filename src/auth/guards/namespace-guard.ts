import type { Namespace as WireNamespace } from '../../common/api/gen/wire.js';
import type { NamespaceService } from '../../namespace/api.js';
import type { AuthChecker, Operator } from '../api.js';
import { guard, type OperationTable } from './guard.js';
import { namespaceRef, namespaceRefs } from './naming-resources.js';

/** polaris: a namespace created with a token is owned by the caller's main account. */
function stampOwners(op: Operator, reqs: WireNamespace[]): void {
  if (op.kind !== 'user' && op.kind !== 'group') return;
  for (const r of reqs) r.owners = op.ownerId;
}

export const NAMESPACE_OPERATIONS: OperationTable<NamespaceService> = {
  createNamespaces: { plane: 'console', access: 'write', fn: 'CreateNamespaces', resources: namespaceRefs, prepare: stampOwners },
  updateNamespaces: { plane: 'console', access: 'write', fn: 'UpdateNamespaces', resources: namespaceRefs },
  deleteNamespaces: { plane: 'console', access: 'write', fn: 'DeleteNamespaces', resources: namespaceRefs },
  listNamespaces: { plane: 'console', access: 'read', fn: 'DescribeNamespaces' },
  // Resource tokens are credentials: reading one needs the same grant as changing the namespace.
  getNamespaceToken: { plane: 'console', access: 'write', fn: 'DescribeNamespaceToken', resources: (name) => [namespaceRef(name)] },
  updateNamespaceToken: { plane: 'console', access: 'write', fn: 'UpdateNamespaceToken', resources: (req) => [namespaceRef(req.name)] },
  ensureNamespace: { plane: 'console', access: 'write', fn: 'CreateNamespace', resources: (name) => [namespaceRef(name)] },
};

export function guardNamespaces(inner: NamespaceService, checker: AuthChecker): NamespaceService {
  return guard(inner, NAMESPACE_OPERATIONS, checker);
}
