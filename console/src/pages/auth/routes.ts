import type { RouteDef } from '../../router';
import { ForgotPasswordPage, ResetPasswordPage } from './password-reset';
import { SignInPage } from './sign-in';
import { SignUpPage } from './sign-up';
import { SsoCallbackPage } from './sso-callback';
import { VerifyEmailPage } from './verify-email';

/** Signing in and the pages mail links land on (the API contract's `/verify-email`, `/reset-password`). */
export const routes: RouteDef[] = [
  { path: '/sign-in', component: SignInPage, access: 'guest' },
  { path: '/sign-up', component: SignUpPage, access: 'guest' },
  { path: '/forgot-password', component: ForgotPasswordPage, access: 'public' },
  { path: '/reset-password', component: ResetPasswordPage, access: 'public' },
  { path: '/verify-email', component: VerifyEmailPage, access: 'public' },
  { path: '/sso/callback', component: SsoCallbackPage, access: 'public' },
];
