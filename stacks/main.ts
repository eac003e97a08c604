// Entry point for `cdktf synth` (see cdktf.json): synthesizes the course named by RESOPS_COURSE,
// or the sample course. `npx resops synth` does the same without the cdktf CLI.
import { App } from 'cdktf';
import { loadCourse } from '../src/course/load.js';
import { buildCourseApp } from './course-app.js';

const course = loadCourse(process.env.RESOPS_COURSE ?? 'examples/course.yaml', { target: 'openstack' });
// cdktf passes the output directory in CDKTF_OUTDIR; App's own default resolves it the same way.
const { app } = buildCourseApp(course, new App().outdir);
app.synth();
