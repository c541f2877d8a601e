import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DataExportStatus = 'RUNNING' | 'READY' | 'FAILED';

/** One export of a user's data: the gathered document, kept with its status (README "Your data"). */
@Entity({ name: 'data_exports' })
export class DataExportEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  status!: DataExportStatus;

  /** The JSON document, once READY. */
  @Column('jsonb', { nullable: true })
  document!: Record<string, unknown> | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  completedAt!: Date | null;
}
