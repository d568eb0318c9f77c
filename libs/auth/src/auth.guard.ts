import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata, createParamDecorator } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import type { Actor, Role } from '#libs/contracts';
import { AccessDeniedError } from '#libs/core';
import { IS_PUBLIC, RequestContext, SERVICE_CONFIG, UnauthenticatedError, type ServiceConfig } from '#libs/common';
import { verifyToken } from './jwt.js';

const ROLES_KEY = 'cuentas:roles';
/** The roles that may call an endpoint (any of them). Without it, any authenticated person may. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

/** The person acting, as verified from the bearer token. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  return ctx.switchToHttp().getRequest<Request & { actor: Actor }>().actor;
});

/** Bearer JWT on every endpoint but the public ones, then the role check; refusals are audited by the filter. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = context.switchToHttp().getRequest<Request & { actor?: Actor }>();
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match) throw new UnauthenticatedError('A bearer token is required');
    const actor = verifyToken(match[1], this.config.jwtSecret);
    req.actor = actor;
    const store = RequestContext.get();
    if (store) store.actor = actor;
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (allowed && !allowed.some((r) => actor.roles.includes(r))) {
      throw new AccessDeniedError('FORBIDDEN', `This action needs one of the roles: ${allowed.join(', ')}`, {
        required: allowed,
      });
    }
    return true;
  }
}
