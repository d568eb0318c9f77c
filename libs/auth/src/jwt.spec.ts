import { jest } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { UnauthenticatedError } from '#libs/common';
import { signToken, verifyToken } from './jwt.js';

const SECRET = 'a-test-secret-of-thirty-two-chars!';
const claims = { sub: 'rv-carla', name: 'Carla Méndez', roles: ['reviewer' as const], org: 'Office of Accountability Review' };

describe('verifyToken', () => {
  afterEach(() => jest.restoreAllMocks());

  it('answers a token it verified before from memory, with the same frozen actor', () => {
    const token = signToken(claims, SECRET);
    const verify = jest.spyOn(jwt, 'verify');
    const first = verifyToken(token, SECRET);
    const again = verifyToken(token, SECRET);
    expect(first).toEqual({ id: 'rv-carla', name: 'Carla Méndez', roles: ['reviewer'], org: 'Office of Accountability Review' });
    expect(again).toBe(first);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(Object.isFrozen(first) && Object.isFrozen(first.roles)).toBe(true);
  });

  it('refuses a token it verified once it has expired', async () => {
    const token = signToken(claims, SECRET, '1s');
    expect(verifyToken(token, SECRET).id).toBe('rv-carla');
    // exp has a resolution of one second: wait past the next whole second and a little.
    await new Promise((r) => setTimeout(r, 2_100));
    expect(() => verifyToken(token, SECRET)).toThrow(new UnauthenticatedError('The token has expired'));
  });

  it('refuses under another secret a token verified under one', () => {
    const token = signToken(claims, SECRET);
    verifyToken(token, SECRET);
    expect(() => verifyToken(token, `${SECRET}-rotated`)).toThrow(UnauthenticatedError);
  });

  it('keeps no memory of a refusal: a bad token is checked, and refused, every time', () => {
    const forged = `${signToken(claims, SECRET).slice(0, -2)}xx`;
    const verify = jest.spyOn(jwt, 'verify');
    expect(() => verifyToken(forged, SECRET)).toThrow(UnauthenticatedError);
    expect(() => verifyToken(forged, SECRET)).toThrow(UnauthenticatedError);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['sub', 'rv-\u0000carla'],
    ['name', 'Carla \ud800'],
    ['org', 'Office \u0000'],
  ] as const)('refuses a well-signed token whose %s holds text no event could store (%j)', (claim, text) => {
    const token = signToken({ ...claims, [claim]: text }, SECRET);
    expect(() => verifyToken(token, SECRET)).toThrow(new UnauthenticatedError('The token is not valid'));
  });
});
