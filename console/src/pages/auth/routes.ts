import type { RouteDef } from '../../router';
import { SignInPage } from './sign-in';
import { SignUpPage } from './sign-up';

export const routes: RouteDef[] = [
  { path: '/sign-in', component: SignInPage, access: 'guest' },
  { path: '/sign-up', component: SignUpPage, access: 'guest' },
];
